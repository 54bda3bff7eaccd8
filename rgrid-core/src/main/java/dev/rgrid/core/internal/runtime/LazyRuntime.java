package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.KeptEnvironment;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime an embedded RGrid selects by itself, chosen on first use: commands that only read
 * state ({@code rgrid status}, {@code list}, {@code logs}) never load or probe an engine.
 */
public final class LazyRuntime implements ContainerRuntime {
  private final RuntimeSelector selector;
  private final String engine;
  private volatile RuntimeSelector.Selection selection;

  /**
   * @param selector how to choose
   * @param engine the name to choose ({@code auto}, {@code docker}, {@code process}, or null)
   */
  public LazyRuntime(RuntimeSelector selector, String engine) {
    this.selector = selector;
    this.engine = engine;
  }

  private RuntimeSelector.Selection selection() {
    RuntimeSelector.Selection s = selection;
    if (s == null) {
      synchronized (this) {
        s = selection;
        if (s == null) {
          s = selector.select(engine);
          selection = s;
        }
      }
    }
    return s;
  }

  /** Why the runtime chosen is a fallback, if it is one. */
  public Optional<String> notice() {
    return Optional.ofNullable(selection().notice());
  }

  @Override
  public String name() {
    return selection().runtime().name();
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return selection().runtime().capabilities();
  }

  @Override
  public void prepare(RuntimeDefinition runtime) {
    selection().runtime().prepare(runtime);
  }

  @Override
  public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
    return selection().runtime().paths(workDir, scriptDir, scriptName);
  }

  @Override
  public Container start(ContainerSpec spec, OutputSink sink) {
    return selection().runtime().start(spec, sink);
  }

  @Override
  public int cpus() {
    return selection().runtime().cpus();
  }

  @Override
  public String identity(RuntimeDefinition runtime) {
    return selection().runtime().identity(runtime);
  }

  @Override
  public RuntimeDefinition environment(RuntimeDefinition runtime, EnvironmentSpec env) {
    return selection().runtime().environment(runtime, env);
  }

  @Override
  public List<KeptEnvironment> environments(Path cacheDir) {
    return selection().runtime().environments(cacheDir);
  }

  @Override
  public boolean removeEnvironment(Path cacheDir, String key) {
    return selection().runtime().removeEnvironment(cacheDir, key);
  }

  @Override
  public int reap(Map<String, String> labels) {
    return selection().runtime().reap(labels);
  }

  @Override
  public void reapLeftovers(java.util.function.Function<Map<String, String>, OutputSink> recover) {
    selection().runtime().reapLeftovers(recover);
  }

  @Override
  public void close() {
    RuntimeSelector.Selection s = selection;
    if (s != null) {
      s.runtime().close();
    }
  }
}
