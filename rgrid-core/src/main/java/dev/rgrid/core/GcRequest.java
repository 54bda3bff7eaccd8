package dev.rgrid.core;

import java.time.Duration;

/**
 * What one garbage collection ({@link RGrid#gc}) does.
 *
 * @param olderThan remove executions that ended longer ago than this; {@code null} for the
 *     configured retention ({@link GcSettings#retention()})
 * @param grace delete unreferenced blobs only when older than this; {@code null} for the
 *     configured grace ({@link GcSettings#blobGrace()})
 * @param dryRun count what would go and change nothing
 */
public record GcRequest(Duration olderThan, Duration grace, boolean dryRun) {
  /** Checks the values. */
  public GcRequest {
    if (olderThan != null && (olderThan.isNegative() || olderThan.isZero())) {
      throw new IllegalArgumentException("olderThan must be positive, was " + olderThan);
    }
    if (grace != null && grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, was " + grace);
    }
  }

  /** A collection with the configured retention and grace. */
  public static GcRequest configured() {
    return new GcRequest(null, null, false);
  }
}
