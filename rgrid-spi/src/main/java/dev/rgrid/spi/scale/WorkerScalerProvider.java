package dev.rgrid.spi.scale;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * Makes a kind of {@link WorkerScaler} available for discovery with {@link
 * java.util.ServiceLoader}, so the CLI's {@code rgrid autoscale} can drive a cluster engine
 * without depending on its backend. Register implementations in {@code
 * META-INF/services/dev.rgrid.spi.scale.WorkerScalerProvider}.
 */
public interface WorkerScalerProvider {

  /** The kind's name as users choose it ({@code swarm}). */
  String name();

  /**
   * Opens the pool named {@code pool} (a service name) and checks that it exists.
   *
   * @throws BackendUnavailableException when the engine does not answer
   * @throws dev.rgrid.spi.NotFoundException when there is no such pool
   */
  WorkerScaler open(String pool);
}
