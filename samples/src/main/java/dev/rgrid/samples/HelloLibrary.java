package dev.rgrid.samples;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs {@code samples/hello/hello.py} on {@code samples/hello/data.csv} through the library
 * ({@link RGrid#client()}), with live log lines, and downloads its outputs to {@code outputs/<execution id>/}.
 *
 * <pre>
 * mvn -q -pl samples -am install -DskipTests
 * mvn -q -pl samples dependency:build-classpath -Dmdep.outputFile=/tmp/rgrid-samples.cp
 * java -cp "samples/target/classes:$(cat /tmp/rgrid-samples.cp)" dev.rgrid.samples.HelloLibrary
 * </pre>
 */
public final class HelloLibrary {
  private HelloLibrary() {}

  /**
   * Entry point.
   *
   * @param args optional: the script, then its input (defaults: the hello sample)
   */
  public static void main(String[] args) throws InterruptedException {
    Path script = Path.of(args.length > 0 ? args[0] : "samples/hello/hello.py");
    Path data = Path.of(args.length > 1 ? args[1] : "samples/hello/data.csv");
    System.exit(run(script, data, Path.of("outputs")));
  }

  /** Runs the script on the data; returns 0 on success. */
  static int run(Path script, Path data, Path outputs) throws InterruptedException {
    // Configured as the rgrid command is: a server (RGRID_URL, `rgrid login`), else shared state
    // (RGRID_DB_URL), else the embedded state under ~/.rgrid.
    try (RGrid rgrid = RGrid.client()) {
      Execution execution = rgrid.run(RunSpec.builder(script)
          .args(data.toString())
          .label("sample", "hello")
          .timeout(Duration.ofMinutes(1))
          .build());
      // Stored log lines as they come, wherever it runs; returns once it has ended.
      ExecutionRecord done = rgrid.followLogs(execution.id(), 0, line ->
          System.out.println("[" + line.stream().name().toLowerCase() + "] " + line.text()));
      System.out.println(done.id() + " ended " + done.status() + " with exit code "
          + done.exitCode());
      List<Path> files = execution.downloadOutputs(outputs.resolve(done.id().value()));
      files.forEach(f -> System.out.println("output: " + f));
      return done.exitCode() == null ? 1 : done.exitCode();
    }
  }
}
