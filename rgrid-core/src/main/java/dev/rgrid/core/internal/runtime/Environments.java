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
  private final EnvironmentLeases leases;

  /**
   * A run's environment: the definition that runs in it, and the lease that keeps garbage
   * collection from removing it until closed (none without requirements).
   */
  public record Prepared(RuntimeDefinition definition, EnvironmentLeases.Lease lease)
      implements AutoCloseable {
    @Override
    public void close() {
      if (lease != null) {
        lease.close();
      }
    }
  }

  /**
   * Environments made by {@code runtime}, installing from {@code packageIndex} and kept under
   * {@code cacheDir}; each preparation is timed in {@code metrics}; a lease on each is taken in
   * {@code leases}.
   */
  public Environments(ContainerRuntime runtime, PackageIndex packageIndex, Path cacheDir,
      EngineMetrics metrics, EnvironmentLeases leases) {
    this.leases = leases;
    this.metrics = metrics;
    this.runtime = runtime;
    this.packageIndex = packageIndex;
    this.cacheDir = cacheDir;
  }

  /**
   * The definition that runs scripts with {@code requirements} installed on top of {@code def},
   * leased from before it is found or built: close the result once the run's container is gone.
   *
   * @throws dev.rgrid.spi.runtime.DependencyInstallException when installing them fails
   * @throws UnsupportedOperationException when the runtime cannot install requirements
   */
  public Prepared prepare(RuntimeDefinition def, List<String> requirements,
      Consumer<String> progress) {
    if (requirements.isEmpty()) {
      return new Prepared(def, null);
    }
    String key = CacheKeys.environment(def.name(), runtime.identity(def), requirements);
    EnvironmentLeases.Lease lease = leases.acquire(key.substring(0, 32));
    long start = System.nanoTime(); // elapsed time only, never a point in time
    boolean ok = false;
    try {
      RuntimeDefinition prepared = runtime.environment(def, new EnvironmentSpec(key, requirements,
          packageIndex, cacheDir, progress));
      ok = true;
      return new Prepared(prepared, lease);
    } finally {
      if (!ok) {
        lease.close();
      }
      metrics.environmentPrepared(ok, java.time.Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
