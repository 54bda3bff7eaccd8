package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeping its blobs on an S3 server that goes down: a submission that cannot store its
 * script fails at once and records nothing; a run whose outputs cannot be stored ends as a
 * backend-unavailable failure, or is retried by its policy and succeeds once the server is back.
 * Never an execution left queued or running with blobs it lacks.
 */
class S3EngineOutageTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  // The script signals that it runs, then waits for the test's go before writing its output.
  private static final String SCRIPT = String.join("\n",
      "import os, pathlib, time",
      "pathlib.Path(os.environ['STARTED']).touch()",
      "while not pathlib.Path(os.environ['GO']).exists():",
      "    time.sleep(0.01)",
      "open('out.txt', 'w').write('made')",
      "");

  @TempDir Path dir;
  private RestartableS3Server server;
  private String bucket;
  private RGrid rgrid;
  private Path script;
  private Path started;
  private Path go;

  @BeforeEach
  void start() throws Exception {
    server = RestartableS3Server.start(dir.resolve("s3"));
    bucket = S3TestServer.newBucket();
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("config.properties"), String.join("\n",
        "s3.endpoint=" + server.endpoint(),
        "s3.bucket=" + bucket,
        "s3.access-key=" + S3TestServer.ACCESS_KEY,
        "s3.secret-key=" + S3TestServer.SECRET_KEY,
        ""));
    rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
    script = Files.writeString(Files.createDirectories(dir.resolve("src")).resolve("wait.py"),
        SCRIPT);
    started = dir.resolve("started");
    go = dir.resolve("go");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      rgrid.close();
    } finally {
      server.close();
    }
  }

  @Test
  void aRunSubmittedWhileS3IsDownFailsAtOnceAndRecordsNothing() throws Exception {
    server.stop();

    assertThatThrownBy(() -> rgrid.run(spec(RetryPolicy.defaults())))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          S3OutageTest.assertOneClearLine(e);
          assertThat(e.getMessage()).contains("cannot reach")
              .contains(server.endpoint().toString());
          assertThat(S3OutageTest.everythingShown(e)).doesNotContain(S3TestServer.SECRET_KEY);
        });
    assertThat(rgrid.list(ExecutionQuery.latest(10)).items()).isEmpty();

    server.restart();
    Files.createFile(go);
    ExecutionRecord done = rgrid.run(spec(RetryPolicy.defaults())).await(DEADLINE)
        .orElseThrow();
    assertThat(done.status()).as(String.valueOf(done.failure()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void anOutageWhileTheScriptRunsFailsTheRunAsBackendUnavailableWhenItsPolicyHasNoRetries()
      throws Exception {
    Execution run = rgrid.run(spec(RetryPolicy.none()));
    awaitCondition(() -> Files.exists(started));
    server.stop();
    Files.createFile(go);

    ExecutionRecord done = run.await(DEADLINE).orElseThrow();

    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    assertThat(done.failure().message()).contains("cannot reach")
        .contains(server.endpoint().toString()).doesNotContain(S3TestServer.SECRET_KEY)
        .doesNotContain("\n");
    assertThat(done.failure().hint()).contains("RGRID_S3_ENDPOINT");
    assertThat(rgrid.outputs(run.id())).isEmpty();
    assertThat(rgrid.list(new ExecutionQuery(Set.of(ExecutionStatus.QUEUED,
        ExecutionStatus.RUNNING), Map.of(), null, null, 10)).items()).isEmpty();
  }

  @Test
  void anOutageWhileTheScriptRunsIsRetriedAndTheRetrySucceedsOnceS3IsBack() throws Exception {
    // Waits of 2 s: a restart that takes longer only costs another attempt, of the 4 allowed.
    RetryPolicy policy = RetryPolicy.defaults().withMaxRetries(3)
        .withInitialDelay(Duration.ofSeconds(2)).withMultiplier(1)
        .withJitter(RetryPolicy.Jitter.NONE);
    Execution run = rgrid.run(spec(policy));
    awaitCondition(() -> Files.exists(started));
    server.stop();
    Files.createFile(go);
    awaitCondition(() -> run.record().attempt() >= 2);
    ExecutionRecord requeued = run.record();
    assertThat(requeued.status()).isIn(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING);
    assertThat(requeued.failure().kind()).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    server.restart();

    ExecutionRecord done = run.await(DEADLINE).orElseThrow();

    assertThat(done.status()).as(String.valueOf(done.failure()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.attempt()).isGreaterThanOrEqualTo(2);
    assertThat(rgrid.logs(done.id(), 0, 100)).extracting(l -> l.text())
        .anySatisfy(line -> assertThat(line).contains("attempt 1 failed (backend-unavailable")
            .contains(server.endpoint().toString()));
    Path out = dir.resolve("out");
    run.downloadOutputs(out);
    assertThat(out.resolve("out.txt")).hasContent("made");
  }

  @Test
  void keysRefusedWhileTheScriptRunsEndTheRunOnceItsRetriesAreSpent() throws Exception {
    // Refused keys are reported as such, and retried only as far as the run's policy allows.
    RetryPolicy policy = RetryPolicy.defaults().withMaxRetries(1)
        .withInitialDelay(Duration.ofMillis(100)).withJitter(RetryPolicy.Jitter.NONE);
    Execution run = rgrid.run(spec(policy));
    awaitCondition(() -> Files.exists(started));
    server.stop();
    server.restart("rotated-access", "rotated-secret-0b8e");
    Files.createFile(go);

    ExecutionRecord done = run.await(DEADLINE).orElseThrow();

    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.attempt()).isEqualTo(policy.maxAttempts());
    assertThat(done.failure().kind()).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    assertThat(done.failure().message()).contains("refused the credentials")
        .contains(server.endpoint().toString()).doesNotContain("cannot reach")
        .doesNotContain(S3TestServer.SECRET_KEY);
    assertThat(done.failure().hint()).contains("RGRID_S3_ACCESS_KEY")
        .contains("RGRID_S3_SECRET_KEY");
    assertThat(rgrid.outputs(run.id())).isEmpty();
  }

  private RunSpec spec(RetryPolicy retry) {
    return RunSpec.builder(script).baseDirectory(script.getParent()).cache(false).retry(retry)
        .env("STARTED", started.toString()).env("GO", go.toString())
        .timeout(Duration.ofMinutes(2)).build();
  }

  /** Polls {@code condition} until it holds, failing after {@link #DEADLINE}. */
  private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + DEADLINE);
      }
      Thread.sleep(10);
    }
  }
}
