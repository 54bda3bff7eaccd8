package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.scale.WorkerScaler;
import dev.rgrid.spi.scale.WorkerScalerProvider;

/**
 * Offers {@link SwarmServiceScaler} for discovery with {@link java.util.ServiceLoader}, as {@code
 * swarm}, on the engine named by {@code DOCKER_HOST} (else the local socket).
 */
public final class SwarmScalerProvider implements WorkerScalerProvider {
  /** {@code swarm}. */
  @Override
  public String name() {
    return "swarm";
  }

  @Override
  public WorkerScaler open(String pool) {
    DockerSettings settings;
    try {
      settings = DockerSettings.fromEnvironment();
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(Engine.BACKEND, e.getMessage(),
          "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it", e);
    }
    return SwarmServiceScaler.open(settings, pool);
  }
}
