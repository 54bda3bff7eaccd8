package dev.rgrid.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds, with a deadline (never a sleep that hopes for the best). */
final class Poll {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private Poll() {}

  /** The first value of {@code read} that {@code done} accepts; fails after the deadline. */
  static <T> T until(Supplier<T> read, Predicate<T> done) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      T now = read.get();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("never got there within " + DEADLINE + "; last: " + now);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // a polling interval
    }
  }
}
