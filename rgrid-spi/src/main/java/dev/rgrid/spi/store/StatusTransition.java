package dev.rgrid.spi.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of status, as recorded.
 *
 * @param status the status entered
 * @param at when
 * @param attempt the attempt number it belongs to (1 for the first run)
 */
public record StatusTransition(ExecutionStatus status, Instant at, int attempt) {
  /** Checks the values. */
  public StatusTransition {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
  }
}
