package dev.rgrid.spi.queue;

import dev.rgrid.spi.WorkerId;
import java.time.Instant;
import java.util.Objects;

/**
 * A live worker as the queue knows it, for people watching the cluster.
 *
 * @param id the worker
 * @param lastHeartbeat when it last renewed its leases ({@link ExecutionQueue#renew}), or {@code
 *     null} when that heartbeat was recorded by an older version, which kept only its expiry
 * @param aliveUntil when it counts as gone unless it renews again
 * @param running how many entries it holds under a live lease (what it runs now)
 */
public record WorkerStatus(WorkerId id, Instant lastHeartbeat, Instant aliveUntil, int running) {
  /** Checks the values. */
  public WorkerStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(aliveUntil, "aliveUntil");
    if (running < 0) {
      throw new IllegalArgumentException("running cannot be negative, was " + running);
    }
  }
}
