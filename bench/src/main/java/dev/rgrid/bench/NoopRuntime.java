package dev.rgrid.bench;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A container runtime that runs nothing: every container has already exited with code 0,
 * having written no output. Scripts still go through the whole engine around it.
 */
final class NoopRuntime implements ContainerRuntime {
  private static final Optional<ExitResult> EXITED = Optional.of(new ExitResult(0, false));

  @Override
  public String name() {
    return "noop";
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return new RuntimeCapabilities(false, false, true);
  }

  @Override
  public void prepare(RuntimeDefinition runtime) {}

  @Override
  public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
    return new ContainerPaths("/work", "/script/" + scriptName);
  }

  @Override
  public Container start(ContainerSpec spec, OutputSink sink) {
    sink.closed(OutputSink.Stream.STDOUT);
    sink.closed(OutputSink.Stream.STDERR);
    return new Container() {
      @Override
      public String id() {
        return "noop-" + spec.name();
      }

      @Override
      public Optional<ExitResult> await(Duration timeout) {
        return EXITED;
      }

      @Override
      public void kill() {}

      @Override
      public void close() {}
    };
  }
}
