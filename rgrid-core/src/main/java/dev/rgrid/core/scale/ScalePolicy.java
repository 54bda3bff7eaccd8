package dev.rgrid.core.scale;

import java.time.Duration;
import java.util.Objects;

/**
 * What the autoscaler aims at.
 *
 * @param min machines kept at all times (0 lets the pool go empty when nothing waits)
 * @param max machines never exceeded, whatever waits
 * @param targetWait how long work should wait in the queue at most: the backlog is sized to drain
 *     within it
 * @param perWorker executions one machine runs at once (its worker's {@code --concurrency})
 * @param releaseWindow a surplus machine is stopped only this close to the end of its billed hour
 *     (its remaining minutes are paid for anyway); the loop must tick more often than this
 */
public record ScalePolicy(int min, int max, Duration targetWait, int perWorker,
    Duration releaseWindow) {
  /** The hour machines are billed by: every started hour is paid in full. */
  public static final Duration BILLING_HOUR = Duration.ofHours(1);

  /** Checks the values. */
  public ScalePolicy {
    Objects.requireNonNull(targetWait, "targetWait");
    Objects.requireNonNull(releaseWindow, "releaseWindow");
    if (min < 0 || max < 1 || min > max) {
      throw new IllegalArgumentException("the replica bounds must satisfy 0 <= min <= max and "
          + "max >= 1, were min " + min + ", max " + max);
    }
    if (targetWait.isNegative() || targetWait.isZero()) {
      throw new IllegalArgumentException("the target wait must be positive, was " + targetWait);
    }
    if (perWorker < 1) {
      throw new IllegalArgumentException("executions per worker must be at least 1, was "
          + perWorker);
    }
    if (releaseWindow.isNegative() || releaseWindow.isZero()
        || releaseWindow.compareTo(BILLING_HOUR) > 0) {
      throw new IllegalArgumentException("the release window must be between 0 and an hour, was "
          + releaseWindow);
    }
  }

  /** Between {@code min} and {@code max} machines, aiming at a wait of at most {@code wait}. */
  public static ScalePolicy of(int min, int max, Duration wait, int perWorker) {
    return new ScalePolicy(min, max, wait, perWorker, Duration.ofMinutes(5));
  }
}
