package dev.rgrid.client.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait between attempts: {@code initial}, doubling up to {@code max}, and giving up
 * once {@code giveUpAfter} has passed without success, or already after {@code giveUpUnreached}
 * while the server has never answered. A server that answered before and now cannot be reached
 * is most likely restarting, and worth waiting for; one that never answered is most likely the
 * wrong address or not started, and a user waiting minutes to learn that is worse off.
 *
 * @param initial the first wait
 * @param max the longest wait
 * @param giveUpAfter how long to keep trying in all
 * @param giveUpUnreached how long to keep trying to reach a server that has not answered yet
 */
public record Backoff(Duration initial, Duration max, Duration giveUpAfter,
    Duration giveUpUnreached) {
  /** 1 s doubling to 30 s, for about 2 minutes; 5 s to first reach the server. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1),
      Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofSeconds(5));

  /** Checks the values. */
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(giveUpAfter, "giveUpAfter");
    Objects.requireNonNull(giveUpUnreached, "giveUpUnreached");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0
        || giveUpAfter.isNegative() || giveUpUnreached.isNegative()) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max, giveUpAfter >= 0 "
          + "and giveUpUnreached >= 0");
    }
  }

  /** The wait after {@code previous}. */
  public Duration next(Duration previous) {
    Duration doubled = previous.multipliedBy(2);
    return doubled.compareTo(max) > 0 ? max : doubled;
  }

  /** The nano time at which an effort started at {@code startNanos} gives up. */
  long deadline(long startNanos) {
    return startNanos + giveUpAfter.toNanos();
  }

  /**
   * The nano time at which an effort started at {@code startNanos} gives up while the server has
   * never answered.
   */
  long unreachedDeadline(long startNanos) {
    return startNanos + Math.min(giveUpAfter.toNanos(), giveUpUnreached.toNanos());
  }

  /**
   * Sleeps for {@code wait}.
   *
   * @throws InterruptedException when interrupted (the flag is left cleared, as Thread.sleep does)
   */
  static void sleep(Duration wait) throws InterruptedException {
    if (!wait.isNegative() && !wait.isZero()) {
      Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
    }
  }
}
