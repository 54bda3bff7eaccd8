package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerRuntimeProvider;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Offers {@link SwarmRuntime} for discovery with {@link java.util.ServiceLoader}, as {@code
 * swarm} ({@code --engine swarm}, {@code RGRID_RUNTIME=swarm}). Its priority (10) is below the
 * Docker runtime's, so {@code auto} never prefers it: a swarm is chosen by name.
 */
public final class SwarmRuntimeProvider implements ContainerRuntimeProvider {
  private final Supplier<DockerSettings> settings;

  /** Uses {@link DockerSettings#fromEnvironment()} ({@code DOCKER_HOST} or the local socket). */
  public SwarmRuntimeProvider() {
    this(DockerSettings::fromEnvironment);
  }

  /** Uses the settings {@link DockerSettings#fromEnvironment(Map)} reads from {@code env}. */
  public SwarmRuntimeProvider(Map<String, String> env) {
    this(() -> DockerSettings.fromEnvironment(Map.copyOf(env)));
  }

  private SwarmRuntimeProvider(Supplier<DockerSettings> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** {@code swarm}. */
  @Override
  public String name() {
    return "swarm";
  }

  /** 10: below the Docker runtime (100), above nothing that {@code auto} would pick first. */
  @Override
  public int priority() {
    return 10;
  }

  /**
   * Connects to the engine, which must answer and be a swarm manager.
   *
   * @throws BackendUnavailableException naming the endpoint, with what to do, when it does not
   *     answer or is no manager
   */
  @Override
  public ContainerRuntime create() {
    DockerSettings chosen;
    try {
      chosen = settings.get();
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(Engine.BACKEND, e.getMessage(),
          "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it; "
              + Engine.HINT, e);
    }
    return new SwarmRuntime(chosen, SwarmRuntime.DEFAULT_STAGING_LIMIT);
  }
}
