package dev.rgrid.spi.store;

import java.util.Objects;

/**
 * A structured reason for a failure.
 *
 * @param kind the machine-readable kind
 * @param message what happened, in one line
 * @param hint what to do next, or {@code null}
 */
public record FailureReason(FailureKind kind, String message, String hint) {
  /** Checks the required fields. */
  public FailureReason {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }
}
