package dev.rgrid.core.internal.worker;

import dev.rgrid.spi.WorkerId;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The worker id an RGrid instance gets when none is given: host, process id, random suffix. */
public final class LocalWorkerIds {
  private LocalWorkerIds() {}

  /** {@code local-<host>-<pid>-<random>}: unique per process, and says where it runs. */
  public static WorkerId generate() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    byte[] suffix = new byte[3];
    new SecureRandom().nextBytes(suffix);
    String cleanHost = host.replaceAll("[^A-Za-z0-9.-]", "-");
    if (cleanHost.length() > 60) {
      cleanHost = cleanHost.substring(0, 60);
    }
    return new WorkerId("local-" + cleanHost + "-" + ProcessHandle.current().pid() + "-"
        + HexFormat.of().formatHex(suffix));
  }
}
