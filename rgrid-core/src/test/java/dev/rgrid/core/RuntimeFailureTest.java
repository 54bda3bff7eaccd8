package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.internal.runtime.ProcessRuntime;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ContainerStartException;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a runtime's failures to start a container end up in the record. */
class RuntimeFailureTest {
  @TempDir Path home;
  @TempDir Path src;

  /**
   * The process runtime, except that its first {@code failures} starts fail as {@code failure}
   * says.
   */
  private static final class Failing implements ContainerRuntime {
    private final ProcessRuntime real = new ProcessRuntime();
    private final Function<ContainerSpec, ? extends Throwable> failure;
    private final java.util.concurrent.atomic.AtomicInteger left;

    /** {@code failure} makes a RuntimeException or an Error (both unchecked). */
    Failing(int failures, Function<ContainerSpec, ? extends Throwable> failure) {
      this.left = new java.util.concurrent.atomic.AtomicInteger(failures);
      this.failure = failure;
    }

    /** Fails the first {@code failures} starts as an engine refusing them. */
    static Failing flaky(int failures) {
      return new Failing(failures, spec -> new ContainerStartException("test", spec.name(),
          "the engine refused to start " + spec.name() + ": device busy", "try again", null));
    }

    @Override
    public String name() {
      return "failing";
    }

    @Override
    public RuntimeCapabilities capabilities() {
      return real.capabilities();
    }

    @Override
    public void prepare(RuntimeDefinition runtime) {
      real.prepare(runtime);
    }

    @Override
    public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
      return real.paths(workDir, scriptDir, scriptName);
    }

    @Override
    public Container start(ContainerSpec spec, OutputSink sink) {
      if (left.getAndDecrement() > 0) {
        Throwable t = failure.apply(spec);
        if (t instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) t;
      }
      return real.start(spec, sink);
    }
  }

  @Test
  void aJvmErrorWhileRunningHandsTheExecutionBackInsteadOfStrandingIt() throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('after the error')\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).pollInterval(Duration.ofMillis(20))
        .lease(Duration.ofMillis(600)).runtime(new Failing(1,
            spec -> new NoClassDefFoundError("simulated: a class failed to load"))).build()) {
      Execution e = rgrid.run(RunSpec.builder(script).build());
      ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow(() ->
          new AssertionError("stranded: " + e.record()));
      assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(e.logs()).extracting(LogLine::text).contains("after the error");
    }
  }

  private ExecutionRecord runWith(Function<ContainerSpec, RuntimeException> failure)
      throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('never')\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home)
        .runtime(new Failing(Integer.MAX_VALUE, failure)).build()) {
      return rgrid.run(RunSpec.builder(script).retry(RetryPolicy.none()).build())
          .await(Duration.ofSeconds(60)).orElseThrow();
    }
  }

  @Test
  void aTransientStartFailureIsRetriedWithBackoffAndEveryAttemptIsRecorded() throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('third time lucky')\n");
    RetryPolicy quick = RetryPolicy.defaults().withInitialDelay(Duration.ofMillis(20))
        .withMaxDelay(Duration.ofMillis(100));
    try (LocalRGrid rgrid = RGrid.builder().home(home).pollInterval(Duration.ofMillis(20))
        .runtime(Failing.flaky(2)).build()) {
      Execution e = rgrid.run(RunSpec.builder(script).retry(quick).build());
      ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(done.attempt()).isEqualTo(3);
      assertThat(done.failure()).isNull();
      assertThat(done.transitions()).extracting(t -> t.status() + "/" + t.attempt())
          .containsExactly("QUEUED/1", "RUNNING/1", "QUEUED/2", "RUNNING/2", "QUEUED/3",
              "RUNNING/3", "SUCCEEDED/3");
      List<String> lines = e.logs().stream().map(LogLine::text).toList();
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).startsWith("[rgrid] attempt 1 failed (start-failed: the engine "
          + "refused to start " + done.id() + "-1: device busy); retrying in ")
          .endsWith("(attempt 2 of 3)");
      assertThat(lines.get(1)).startsWith("[rgrid] attempt 2 failed (start-failed")
          .endsWith("(attempt 3 of 3)");
      assertThat(lines.get(2)).isEqualTo("third time lucky");
    }
  }

  @Test
  void retriesStopAtThePolicysLimit() throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('never')\n");
    RetryPolicy once = RetryPolicy.defaults().withMaxRetries(1)
        .withInitialDelay(Duration.ofMillis(20)).withMaxDelay(Duration.ofMillis(50));
    try (LocalRGrid rgrid = RGrid.builder().home(home).pollInterval(Duration.ofMillis(20))
        .runtime(Failing.flaky(5)).build()) {
      ExecutionRecord done = rgrid.run(RunSpec.builder(script).retry(once).build())
          .await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.START_FAILED);
      assertThat(done.attempt()).isEqualTo(2);
    }
  }

  @Test
  void aRunFedStdinIsNotRetriedSinceItsInputIsGone() throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print(input())\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).pollInterval(Duration.ofMillis(20))
        .runtime(Failing.flaky(1)).build()) {
      ExecutionRecord done = rgrid.run(RunSpec.builder(script)
          .stdin(new java.io.ByteArrayInputStream("x\n".getBytes())).build())
          .await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.attempt()).isEqualTo(1);
    }
  }

  @Test
  void aRefusedContainerStartIsATransientStartFailure() throws Exception {
    ExecutionRecord done = runWith(spec -> new ContainerStartException("test", spec.name(),
        "the engine refused to start " + spec.name() + ": no space left on device",
        "free disk space", null));
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.START_FAILED);
    assertThat(done.failure().kind().isTransient()).isTrue();
    assertThat(done.failure().message()).contains("no space left on device");
    assertThat(done.failure().hint()).isEqualTo("free disk space");
  }

  @Test
  void settingsTheEngineRefusesFailAtOnceWithItsHintInsteadOfBeingRetried() throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('never')\n");
    RetryPolicy quick = RetryPolicy.defaults().withMaxRetries(3)
        .withInitialDelay(Duration.ofMillis(20)).withMaxDelay(Duration.ofMillis(50));
    try (LocalRGrid rgrid = RGrid.builder().home(home).pollInterval(Duration.ofMillis(20))
        .runtime(new Failing(Integer.MAX_VALUE, spec -> new ContainerStartException("test",
            spec.name(), "the engine refused the settings of " + spec.name() + ": Range of "
                + "CPUs is from 0.01 to 2.00, as there are only 2 CPUs available",
            "ask for no more CPUs than the engine's machine has", true, null))).build()) {
      ExecutionRecord done = rgrid.run(RunSpec.builder(script).retry(quick).build())
          .await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.attempt()).as("not retried").isEqualTo(1);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.START_FAILED);
      assertThat(done.failure().message()).contains("Range of CPUs is from 0.01 to 2.00");
      assertThat(done.failure().hint()).isEqualTo(
          "ask for no more CPUs than the engine's machine has");
    }
  }

  @Test
  void anUnreachableEngineIsABackendFailure() throws Exception {
    ExecutionRecord done = runWith(spec -> new BackendUnavailableException("test",
        "no engine answered at unix:///nowhere", "start it", null));
    assertThat(done.failure().kind()).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    assertThat(done.failure().message()).contains("unix:///nowhere");
  }

  @Test
  void aWorkerWhoseRuntimeDoesNotPlaceRunsFailsARunWithConstraintsWithoutRunningIt()
      throws Exception {
    Path job = Files.writeString(src.resolve("placed.py"), "print('ran')\n");
    Execution e;
    // Submitted where no runtime is known (as a server accepts it for whichever workers).
    try (LocalRGrid submitOnly = RGrid.builder().home(home).engine("process").workers(0)
        .build()) {
      e = submitOnly.run(RunSpec.builder(job).resources(new dev.rgrid.spi.store.Resources(0, 0,
          List.of("node.labels.gpu==true"))).build());
    }
    try (LocalRGrid worker = RGrid.builder().home(home).engine("process").workers(1).build()) {
      ExecutionRecord done = worker.execution(e.id()).await(Duration.ofSeconds(60))
          .orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.RUNTIME_UNAVAILABLE);
      assertThat(done.failure().message()).contains("placement constraints "
          + "[node.labels.gpu==true] need a runtime that places runs", "the process runtime");
      assertThat(done.attempt()).isEqualTo(1);
      assertThat(worker.execution(e.id()).logs()).extracting(LogLine::text)
          .noneMatch(t -> t.contains("ran"));
    }
  }
}
