package dev.rgrid.spi.scale;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import java.util.List;

/**
 * A pool of worker machines whose size can be set: a replicated service of a cluster engine
 * (Docker Swarm), a cloud's instance group. The autoscaler reads the pool and sets its size; the
 * pool starts and stops machines itself, each running one {@code rgrid worker}.
 *
 * <p>Every method may throw {@link BackendUnavailableException} (the engine did not answer or
 * refused) and {@link NotFoundException} (the pool is gone).
 */
public interface WorkerScaler extends AutoCloseable {

  /** What this scales, for messages ({@code swarm service rgrid_worker}). */
  String describe();

  /** The number of machines the pool is told to run now (not necessarily running yet). */
  int replicas();

  /**
   * The machines of the pool that run or are starting, with when each was started (its billing
   * period starts there). May hold fewer entries than {@link #replicas()} while machines start.
   */
  List<ScaledMachine> machines();

  /**
   * Tells the pool to run {@code replicas} machines. Which machines stop when it shrinks is the
   * pool's choice.
   *
   * @throws IllegalArgumentException if {@code replicas} is negative
   */
  void setReplicas(int replicas);

  /** Releases the connection to the engine; the default does nothing. */
  @Override
  default void close() {}
}
