package dev.rgrid.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What running a script over some inputs would cost, from the run times of past runs, with the
 * assumptions it rests on.
 *
 * @param inputs how many executions it means (one per input; 1 without a batch)
 * @param basis where the run time comes from, for people ({@code 12 past runs of stats.py})
 * @param samples how many past runs the median is over (0: no history)
 * @param medianRunTime the median run time of those runs, when there are any
 * @param hourlyMicros the price of an hour on this machine
 * @param costMicros the estimated cost of all the executions, when there is a run time
 * @param assumptions what the estimate takes for granted, one line each
 */
public record Estimate(int inputs, String basis, int samples, Optional<Duration> medianRunTime,
    long hourlyMicros, Optional<Long> costMicros, List<String> assumptions) {
  /** Copies the list. */
  public Estimate {
    assumptions = List.copyOf(assumptions);
  }
}
