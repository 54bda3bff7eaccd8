package dev.rgrid.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many lines of one kind the server log takes: a token bucket per kind, {@link #burst} lines
 * at once, refilled at that many per minute. What a client can make the server log (malformed
 * requests, failures it triggers) cannot flood the log this way: past the limit, lines are
 * counted instead, and the next line let through says how many were left out.
 *
 * <p>Kinds are a few fixed names chosen by the code, never taken from a request, so the map
 * stays small.
 */
final class LogLimit {
  /** The lines of a kind let through at once, and per minute after that. */
  static final int DEFAULT_BURST = 10;
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private final int burst;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** A bucket per kind. */
  private final class Bucket {
    private double tokens = burst;
    private long refilledAt = nanoTime.getAsLong();
    private long suppressed;

    synchronized long take() {
      long now = nanoTime.getAsLong();
      tokens = Math.min(burst, tokens + (double) (now - refilledAt) * burst / MINUTE);
      refilledAt = now;
      if (tokens < 1) {
        suppressed++;
        return -1;
      }
      tokens--;
      long left = suppressed;
      suppressed = 0;
      return left;
    }
  }

  /** {@code burst} lines per kind at once and per minute, timed by {@code nanoTime}. */
  LogLimit(int burst, LongSupplier nanoTime) {
    if (burst < 1) {
      throw new IllegalArgumentException("a log limit lets at least one line through, not "
          + burst);
    }
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /**
   * Whether a line of {@code kind} may be written now: -1 when not (it is counted), else how
   * many lines of the kind were left out since the last one written (to be said in it).
   */
  long take(String kind) {
    return buckets.computeIfAbsent(kind, k -> new Bucket()).take();
  }

  /** The note to append to a line after {@code suppressed} were left out ("" for none). */
  static String note(long suppressed) {
    return suppressed > 0 ? " (" + suppressed + " more like it left out of the log)" : "";
  }
}
