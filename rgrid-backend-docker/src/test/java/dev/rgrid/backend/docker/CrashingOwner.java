package dev.rgrid.backend.docker;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Run as a separate JVM by a test: starts a sleeping container, prints its id and waits to be
 * killed, as an RGrid process that crashes mid-run would.
 */
public final class CrashingOwner {
  private CrashingOwner() {}

  /** @param args a directory to work in */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path scriptDir = Files.createDirectories(dir.resolve("script"));
    Path workDir = Files.createDirectories(dir.resolve("work"));
    Files.writeString(scriptDir.resolve("main.py"), "import time\ntime.sleep(600)\n");
    DockerRuntime runtime = new DockerRuntime(DockerTests.settings());
    runtime.prepare(DockerTests.python());
    Container c = runtime.start(new ContainerSpec("crash-1", DockerTests.python(), scriptDir,
        "main.py", workDir, List.of(), Map.of(), Limits.DEFAULT,
        Map.of("dev.rgrid.test", "crash"), null), new OutputSink() {
          @Override
          public void write(Stream stream, byte[] bytes, int offset, int length) {}
        });
    System.out.println(c.id());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
