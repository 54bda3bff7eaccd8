package dev.rgrid.core.internal.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * How alerts are delivered: retries after {@code firstRetry}, doubling up to {@code maxRetry},
 * {@code maxAttempts} attempts in all, each request given {@code requestTimeout}, the outbox
 * looked at every {@code poll} (and at once when this process offers an alert). With the defaults
 * an alert is given up on about four minutes after its first attempt failed.
 */
public record AlertSettings(Duration firstRetry, Duration maxRetry, int maxAttempts,
    Duration requestTimeout, Duration poll) {
  /** The defaults: 2 s doubling to 2 min, 8 attempts, 10 s per request, the outbox every 5 s. */
  public static final AlertSettings DEFAULTS = new AlertSettings(Duration.ofSeconds(2),
      Duration.ofMinutes(2), 8, Duration.ofSeconds(10), Duration.ofSeconds(5));

  /** Checks the values. */
  public AlertSettings {
    Objects.requireNonNull(firstRetry, "firstRetry");
    Objects.requireNonNull(maxRetry, "maxRetry");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(poll, "poll");
    if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
      throw new IllegalArgumentException("retries need 0 < firstRetry <= maxRetry, were "
          + firstRetry + " and " + maxRetry);
    }
    if (maxAttempts < 1 || maxAttempts > 30) {
      throw new IllegalArgumentException("maxAttempts must be from 1 to 30, was " + maxAttempts);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero() || poll.isNegative()
        || poll.isZero()) {
      throw new IllegalArgumentException("requestTimeout and poll must be positive");
    }
  }

  /** How long after failed attempt {@code attempt} (1 for the first) the next one is due. */
  Duration retryAfter(int attempt) {
    Duration d = firstRetry;
    for (int i = 1; i < attempt && d.compareTo(maxRetry) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRetry) > 0 ? maxRetry : d;
  }

  /**
   * How long a deliverer holds an alert it took: longer than a request may last, so that only a
   * deliverer that died (or hangs) has its alert taken by another.
   */
  Duration lease() {
    return requestTimeout.multipliedBy(3);
  }
}
