package dev.rgrid.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The host's {@code docker} command, for tests that look at the engine beside RGrid. */
final class DockerCli {
  private DockerCli() {}

  /**
   * Runs {@code docker ARGS} and returns its output (stdout and stderr), trimmed.
   *
   * @throws IOException when it cannot start or exits non-zero, with its output
   */
  static String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
