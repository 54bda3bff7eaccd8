package dev.rgrid.backend.docker;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.WorkerId;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run as a separate JVM by a test: an RGrid worker on Docker that starts one script, prints its
 * execution id and waits to be killed, as a worker lost mid-run would be.
 */
public final class LostWorker {
  /** The worker id it runs under. */
  static final WorkerId ID = new WorkerId("lost-worker");
  /** Its lease: short, so the test's next worker takes over soon after the kill. */
  static final Duration LEASE = Duration.ofSeconds(1);
  /** The value of the secret its run gets. */
  static final String SECRET = "lost-S3cret-v";

  private LostWorker() {}

  /** @param args the state directory and the script */
  public static void main(String[] args) throws Exception {
    LocalRGrid rgrid = RGrid.builder().home(Path.of(args[0]))
        .runtime(new DockerRuntime(DockerTests.settings())).workerId(ID).workers(1).lease(LEASE)
        .build();
    // A secret, so the test sees the output read back masked as the worker masked the rest.
    rgrid.secrets().set("LOST_TOKEN", SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Execution e = rgrid.run(RunSpec.builder(Path.of(args[1])).secret("LOST_TOKEN").cache(false)
        .build());
    System.out.println(e.id().value());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
