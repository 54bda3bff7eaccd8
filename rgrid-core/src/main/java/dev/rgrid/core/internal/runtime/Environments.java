package dev.rgrid.core.internal.runtime;

import dev.rgrid.core.internal.cache.CacheKeys;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Gets the environment a run's requirements need from the runtime (built once per key). */
public final class Environments {
  private final ContainerRuntime runtime;
  private final PackageIndex packageIndex;
  private final Path cacheDir;
  private final EngineMetrics metrics;

  /**
   * Environments made by {@code runtime}, installing from {@code packageIndex} and kept under
   * {@code cacheDir}; each preparation is timed in {@code metrics}.
   */
  public Environments(ContainerRuntime runtime, PackageIndex packageIndex, Path cacheDir,
      EngineMetrics metrics) {
    this.metrics = metrics;
    this.runtime = runtime;
    this.packageIndex = packageIndex;
    this.cacheDir = cacheDir;
  }

  /**
   * The definition that runs scripts with {@code requirements} installed on top of {@code def}.
   *
   * @throws dev.rgrid.spi.runtime.DependencyInstallException when installing them fails
   * @throws UnsupportedOperationException when the runtime cannot install requirements
   */
  public RuntimeDefinition prepare(RuntimeDefinition def, List<String> requirements,
      Consumer<String> progress) {
    if (requirements.isEmpty()) {
      return def;
    }
    String key = CacheKeys.environment(def.name(), runtime.identity(def), requirements);
    long start = System.nanoTime(); // elapsed time only, never a point in time
    boolean ok = false;
    try {
      RuntimeDefinition prepared = runtime.environment(def, new EnvironmentSpec(key, requirements,
          packageIndex, cacheDir, progress));
      ok = true;
      return prepared;
    } finally {
      metrics.environmentPrepared(ok, java.time.Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
