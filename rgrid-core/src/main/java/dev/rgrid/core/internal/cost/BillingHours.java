package dev.rgrid.core.internal.cost;

import dev.rgrid.spi.ExecutionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Amortises the price of one worker billed per started hour over the executions that ran on it.
 *
 * <p>The worker's billing period starts at {@code periodStart}; its hours are the windows {@code
 * [periodStart + k h, periodStart + (k+1) h)}. Once an hour has ended, {@link #close} splits its
 * price over the executions that ran in it, in proportion to their run time inside that hour
 * ({@link #split}); an execution spanning two hours gets a share of each, and an hour in which
 * nothing ran is reported as idle. An execution still running is counted up to the end of each
 * closed hour and keeps accruing in later ones. Its final cost, the sum of its shares, is known
 * once it has finished and the hour it finished in is closed.
 *
 * <p>Closed hours are final: report each start and finish before closing the hour it falls in. A
 * finish reported after its hour was closed leaves that hour's statement as it was (the execution
 * keeps the share it got as if it were still running).
 *
 * <p>One tracker per worker. Methods are synchronized, so the engine and a billing timer may share
 * it.
 */
public final class BillingHours {
  /** Most hours closed in one call: about eleven years, so that a bad clock fails fast. */
  static final long MAX_HOURS_PER_CLOSE = 100_000;

  private static final Duration HOUR = Duration.ofHours(1);

  private final Instant periodStart;
  private final long hourlyMicros;
  private final Map<ExecutionId, Run> open = new LinkedHashMap<>();
  private final Map<ExecutionId, Long> finalCosts = new HashMap<>();
  private long closedHours;
  private boolean terminated;

  /**
   * @param periodStart when the worker's billing period began (its first hour starts here)
   * @param hourlyMicros the price of each started hour, in micros
   */
  public BillingHours(Instant periodStart, long hourlyMicros) {
    this.periodStart = Objects.requireNonNull(periodStart, "periodStart");
    if (hourlyMicros < 0) {
      throw new IllegalArgumentException("hourly price must not be negative: " + hourlyMicros);
    }
    this.hourlyMicros = hourlyMicros;
  }

  /**
   * Splits one hour's price over executions in proportion to their time in that hour, using the
   * largest-remainder method: each execution first gets {@code floor(price * time / totalTime)},
   * then the micros left over go one each to the largest remainders, ties going to the smaller
   * execution id (the earlier-created one). The shares therefore add up to {@code priceMicros}
   * exactly and no share is off by a whole micro or more from its exact value.
   *
   * @param priceMicros the price to split, zero or positive
   * @param timeInHour each execution's run time inside the hour, zero or positive
   * @return every execution of {@code timeInHour} with its share, sorted by id; empty when the
   *     total time is zero (then nobody ran, and the caller reports the price as idle)
   */
  public static Map<ExecutionId, Long> split(
      long priceMicros, Map<ExecutionId, Duration> timeInHour) {
    if (priceMicros < 0) {
      throw new IllegalArgumentException("price must not be negative: " + priceMicros);
    }
    int n = timeInHour.size();
    ExecutionId[] ids = timeInHour.keySet().toArray(new ExecutionId[0]);
    Arrays.sort(ids);
    long[] nanos = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Duration time = Objects.requireNonNull(timeInHour.get(ids[i]), "time of " + ids[i]);
      if (time.isNegative()) {
        throw new IllegalArgumentException("time of " + ids[i] + " is negative: " + time);
      }
      try {
        nanos[i] = time.toNanos();
        total = Math.addExact(total, nanos[i]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("times add up to more than 292 years", e);
      }
    }
    if (total == 0) {
      return Map.of();
    }
    long[] shares = new long[n];
    long[] remainders = new long[n];
    long left = priceMicros;
    for (int i = 0; i < n; i++) {
      shares[i] = MicrosMath.mulDivFloor(priceMicros, nanos[i], total);
      remainders[i] = MicrosMath.mulMod(priceMicros, nanos[i], total);
      left -= shares[i];
    }
    // left < n (each floor loses less than one micro), so at most n - 1 executions get one more.
    if (left > 0) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      // ids are sorted, so breaking ties on the index breaks them on the execution id.
      Arrays.sort(
          order,
          (a, b) ->
              remainders[a] != remainders[b]
                  ? Long.compare(remainders[b], remainders[a])
                  : Integer.compare(a, b));
      for (int k = 0; k < left; k++) {
        shares[order[k]]++;
      }
    }
    Map<ExecutionId, Long> result = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      result.put(ids[i], shares[i]);
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * Records that an execution started on this worker.
   *
   * @throws IllegalArgumentException if it was already recorded or starts before the period
   * @throws IllegalStateException if its hour is already closed or the worker was terminated
   */
  public synchronized void started(ExecutionId id, Instant start) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(start, "start");
    if (open.containsKey(id) || finalCosts.containsKey(id)) {
      throw new IllegalArgumentException(
          "execution " + id + " was already recorded on this worker");
    }
    if (start.isBefore(periodStart)) {
      throw new IllegalArgumentException(
          "execution " + id + " starts at " + start + ", before the billing period ("
              + periodStart + ")");
    }
    if (terminated || start.isBefore(closedUntil())) {
      throw new IllegalStateException(
          "execution " + id + " starts at " + start + ", in a billing hour already closed (up to "
              + closedUntil() + ")");
    }
    open.put(id, new Run(start));
  }

  /**
   * Records that an execution finished; see the class comment for finishes reported late.
   *
   * @throws IllegalArgumentException if it never started here, already finished, or finishes
   *     before it started
   */
  public synchronized void finished(ExecutionId id, Instant finish) {
    Objects.requireNonNull(finish, "finish");
    if (terminated && finalCosts.containsKey(id)) {
      return; // settled when the worker was stopped; see terminate
    }
    Run run = open.get(id);
    if (run == null || run.finish != null) {
      throw new IllegalArgumentException("execution " + id + " is not running on this worker");
    }
    if (finish.isBefore(run.start)) {
      throw new IllegalArgumentException(
          "execution " + id + " finishes at " + finish + ", before it started (" + run.start + ")");
    }
    run.finish = finish;
    settleIfDone(id, run);
  }

  /**
   * Closes every hour that has ended by {@code now} and was not closed before.
   *
   * @param now the current time, from the engine's clock
   * @return a statement per newly closed hour, oldest first; empty if none ended
   */
  public synchronized List<HourStatement> close(Instant now) {
    long ended = Math.max(0, Duration.between(periodStart, now).toHours());
    return closeUpTo(ended);
  }

  /**
   * Ends the billing period when the worker is stopped at {@code at}: the hour running at that
   * moment was started, so it is billed in full and closed together with every earlier open one.
   * Afterwards nothing more can start here, and executions still open are counted as running up
   * to the end of the last hour and their costs become final (a finish reported for them later is
   * ignored).
   *
   * @return a statement per newly closed hour, oldest first
   */
  public synchronized List<HourStatement> terminate(Instant at) {
    Duration elapsed = Duration.between(periodStart, at);
    long whole = elapsed.isNegative() ? 0 : elapsed.toHours();
    boolean partial = elapsed.compareTo(HOUR.multipliedBy(whole)) > 0;
    List<HourStatement> statements = closeUpTo(Math.max(whole + (partial ? 1 : 0), closedHours));
    // Nothing can be charged after the period ends, so whatever an execution has accrued by now
    // is all it will ever cost on this worker, finished or not.
    for (Map.Entry<ExecutionId, Run> e : open.entrySet()) {
      finalCosts.put(e.getKey(), e.getValue().accrued);
    }
    open.clear();
    terminated = true;
    return statements;
  }

  /**
   * The cost of an execution, once it is final: it has finished and the hour it finished in has
   * been closed. Empty before that, and for executions never recorded here.
   */
  public synchronized OptionalLong finalCost(ExecutionId id) {
    Long cost = finalCosts.get(id);
    return cost == null ? OptionalLong.empty() : OptionalLong.of(cost);
  }

  /** The end of the last closed hour: everything before it is billed and final. */
  public synchronized Instant closedUntil() {
    return hourStart(closedHours);
  }

  private List<HourStatement> closeUpTo(long hours) {
    if (terminated || hours <= closedHours) {
      return List.of();
    }
    if (hours - closedHours > MAX_HOURS_PER_CLOSE) {
      throw new IllegalArgumentException(
          "refusing to close " + (hours - closedHours) + " billing hours at once (up to "
              + hourStart(hours) + "); is the clock right?");
    }
    List<HourStatement> statements = new ArrayList<>();
    for (long k = closedHours; k < hours; k++) {
      statements.add(closeHour(k));
    }
    closedHours = hours;
    Instant until = closedUntil();
    for (Iterator<Map.Entry<ExecutionId, Run>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<ExecutionId, Run> e = it.next();
      Run run = e.getValue();
      if (run.finish != null && !run.finish.isAfter(until)) {
        finalCosts.put(e.getKey(), run.accrued);
        it.remove();
      }
    }
    return statements;
  }

  private HourStatement closeHour(long k) {
    Instant start = hourStart(k);
    Instant end = hourStart(k + 1);
    Map<ExecutionId, Duration> times = new HashMap<>();
    for (Map.Entry<ExecutionId, Run> e : open.entrySet()) {
      Run run = e.getValue();
      Instant from = run.start.isAfter(start) ? run.start : start;
      Instant to = run.finish == null || run.finish.isAfter(end) ? end : run.finish;
      if (from.isBefore(to)) {
        times.put(e.getKey(), Duration.between(from, to));
      }
    }
    Map<ExecutionId, Long> shares = split(hourlyMicros, times);
    for (Map.Entry<ExecutionId, Long> share : shares.entrySet()) {
      Run run = open.get(share.getKey());
      run.accrued = Math.addExact(run.accrued, share.getValue());
    }
    long idle = shares.isEmpty() ? hourlyMicros : 0;
    return new HourStatement(k, start, end, hourlyMicros, shares, idle);
  }

  private void settleIfDone(ExecutionId id, Run run) {
    if (!run.finish.isAfter(closedUntil())) {
      finalCosts.put(id, run.accrued);
      open.remove(id);
    }
  }

  private Instant hourStart(long k) {
    return periodStart.plus(HOUR.multipliedBy(k));
  }

  /** One execution's interval on this worker and the shares it has received so far. */
  private static final class Run {
    final Instant start;
    Instant finish;
    long accrued;

    Run(Instant start) {
      this.start = start;
    }
  }
}
