package dev.rgrid.spi.queue;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import java.time.Instant;
import java.util.Objects;

/**
 * A worker's exclusive hold on one queued execution, until {@code leaseUntil} unless renewed.
 *
 * @param executionId what was claimed
 * @param workerId who holds it
 * @param attempt the attempt number this claim starts (1 for the first)
 * @param leaseUntil when the hold lapses unless renewed
 * @param reclaimed whether an earlier holder's lease had expired (that worker was lost)
 */
public record Claim(ExecutionId executionId, WorkerId workerId, int attempt, Instant leaseUntil,
    boolean reclaimed) {
  /** Checks the values. */
  public Claim {
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt < 1");
    }
  }
}
