package dev.rgrid.core.internal.runtime;

import dev.rgrid.core.internal.cache.CacheKeys;
import dev.rgrid.core.internal.wiring.EngineContext;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.util.List;
import java.util.function.Consumer;

/** Gets the environment a run's requirements need from the runtime (built once per key). */
public final class Environments {
  private final EngineContext ctx;

  /** Environments made by the runtime of {@code ctx}, kept under its cache directory. */
  public Environments(EngineContext ctx) {
    this.ctx = ctx;
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
    String key = CacheKeys.environment(def.name(), ctx.runtime().identity(def), requirements);
    return ctx.runtime().environment(def, new EnvironmentSpec(key, requirements,
        ctx.packageIndex(), ctx.cacheDir(), progress));
  }
}
