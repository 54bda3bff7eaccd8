package dev.rgrid.spi.store;

import java.util.List;

/**
 * A monthly spending limit, as stored.
 *
 * @param limitMicros the most that executions may cost in a calendar month (UTC), in micros
 * @param thresholdsPercent the percentages of the limit at which an alert is raised, ascending,
 *     each from 1 to 100
 */
public record LimitSetting(long limitMicros, List<Integer> thresholdsPercent) {
  /** Checks the values. */
  public LimitSetting {
    thresholdsPercent = List.copyOf(thresholdsPercent);
    if (limitMicros < 0) {
      throw new IllegalArgumentException("a spending limit cannot be negative");
    }
    int previous = 0;
    for (int t : thresholdsPercent) {
      if (t <= previous || t > 100) {
        throw new IllegalArgumentException("thresholds must be ascending percentages from 1 to "
            + "100, were " + thresholdsPercent);
      }
      previous = t;
    }
  }
}
