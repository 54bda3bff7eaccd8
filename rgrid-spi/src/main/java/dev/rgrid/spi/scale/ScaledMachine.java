package dev.rgrid.spi.scale;

import java.time.Instant;
import java.util.Objects;

/**
 * One machine of a {@link WorkerScaler}'s pool.
 *
 * @param id the pool's name for it (a task id, an instance id)
 * @param startedAt when it was started: its billed hours are counted from here
 */
public record ScaledMachine(String id, Instant startedAt) {
  /** Checks the values. */
  public ScaledMachine {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(startedAt, "startedAt");
  }
}
