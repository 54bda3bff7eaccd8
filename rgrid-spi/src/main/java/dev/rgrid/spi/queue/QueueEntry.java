package dev.rgrid.spi.queue;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import java.time.Instant;
import java.util.Objects;

/**
 * Work to enqueue.
 *
 * @param executionId the execution to run
 * @param affinity the only worker allowed to claim it while that worker keeps renewing, or {@code
 *     null} for any worker. Embedded RGrid processes use it so each runs the work it submitted,
 *     while work left by a process that died becomes claimable by others once its hold lapses.
 * @param notBefore not claimable before this time (retry backoff)
 * @param attempt the attempt number the next claim starts
 */
public record QueueEntry(ExecutionId executionId, WorkerId affinity, Instant notBefore,
    int attempt) {
  /** Checks the values. */
  public QueueEntry {
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(notBefore, "notBefore");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt < 1");
    }
  }
}
