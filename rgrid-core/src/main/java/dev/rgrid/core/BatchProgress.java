package dev.rgrid.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a batch stands: how many of its inputs are in each state, what they cost so far and, once
 * some have ended, when the rest should be done. Executions replaced by a retry are not counted;
 * their retries are.
 *
 * @param total how many inputs the batch has
 * @param queued waiting for a worker (including those waiting to be retried), and inputs not
 *     submitted yet
 * @param running being run
 * @param succeeded ended successfully, cache hits included
 * @param failed ended unsuccessfully: the script failed, timed out, or could not be run; as
 *     the handle that submitted the batch counts them, also inputs it could not submit (the
 *     stored progress, which others read, counts those as queued)
 * @param cancelled cancelled
 * @param cached how many of the successes reused a cached result
 * @param costMicros what the ended executions cost, in micros
 * @param elapsed since the batch was submitted
 * @param eta how much longer until every input has ended, from the pace so far; empty before
 *     anything ended or once everything has
 */
public record BatchProgress(int total, int queued, int running, int succeeded, int failed,
    int cancelled, int cached, long costMicros, Duration elapsed, Optional<Duration> eta) {

  /** Checks the counts. */
  public BatchProgress {
    if (total < 0 || queued < 0 || running < 0 || succeeded < 0 || failed < 0 || cancelled < 0
        || cached < 0 || costMicros < 0) {
      throw new IllegalArgumentException("negative count in batch progress");
    }
    if (cached > succeeded) {
      throw new IllegalArgumentException("more cached (" + cached + ") than succeeded ("
          + succeeded + ")");
    }
    elapsed = elapsed == null || elapsed.isNegative() ? Duration.ZERO : elapsed;
    eta = eta == null ? Optional.empty() : eta;
  }

  /**
   * The progress with these counts, the ETA projected from the pace so far: the time each ended
   * input took on average, times the inputs still to end. Cache hits are left out of the pace
   * since they take no time.
   */
  public static BatchProgress of(int total, int queued, int running, int succeeded, int failed,
      int cancelled, int cached, long costMicros, Duration elapsed) {
    int ended = succeeded + failed + cancelled;
    int remaining = total - ended;
    int ran = ended - cached;
    Optional<Duration> eta = Optional.empty();
    if (remaining > 0 && ran > 0 && elapsed != null && !elapsed.isNegative()) {
      eta = Optional.of(Duration.ofMillis(
          Math.multiplyExact(elapsed.toMillis(), (long) remaining) / ran));
    }
    return new BatchProgress(total, queued, running, succeeded, failed, cancelled, cached,
        costMicros, elapsed, eta);
  }

  /** How many inputs have ended, whatever the outcome. */
  public int ended() {
    return succeeded + failed + cancelled;
  }

  /** Whether every input has ended. */
  public boolean done() {
    return ended() >= total;
  }
}
