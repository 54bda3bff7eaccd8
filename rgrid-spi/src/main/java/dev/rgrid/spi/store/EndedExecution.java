package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Objects;

/**
 * An execution that has ended, as {@link RetentionStore#endedBefore} lists it.
 *
 * @param id the execution
 * @param finishedAt when it ended
 */
public record EndedExecution(ExecutionId id, Instant finishedAt) {
  /** Checks the values. */
  public EndedExecution {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(finishedAt, "finishedAt");
  }
}
