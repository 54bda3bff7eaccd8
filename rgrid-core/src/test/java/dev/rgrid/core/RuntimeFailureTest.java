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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a runtime's failures to start a container end up in the record. */
class RuntimeFailureTest {
  @TempDir Path home;
  @TempDir Path src;

  /** The process runtime, except that starting fails as {@code failure} says. */
  private record Failing(ContainerRuntime real, Function<ContainerSpec, RuntimeException> failure)
      implements ContainerRuntime {
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
      throw failure.apply(spec);
    }
  }

  private ExecutionRecord runWith(Function<ContainerSpec, RuntimeException> failure)
      throws Exception {
    Path script = Files.writeString(src.resolve("ok.py"), "print('never')\n");
    try (RGrid rgrid = RGrid.builder().home(home)
        .runtime(new Failing(new ProcessRuntime(), failure)).build()) {
      return rgrid.run(RunSpec.builder(script).build()).await(Duration.ofSeconds(60))
          .orElseThrow();
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
  void anUnreachableEngineIsABackendFailure() throws Exception {
    ExecutionRecord done = runWith(spec -> new BackendUnavailableException("test",
        "no engine answered at unix:///nowhere", "start it", null));
    assertThat(done.failure().kind()).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    assertThat(done.failure().message()).contains("unix:///nowhere");
  }
}
