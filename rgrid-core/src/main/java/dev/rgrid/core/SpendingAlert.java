package dev.rgrid.core;

import java.time.YearMonth;

/**
 * This month's spending crossed a threshold of the monthly limit. Raised once per threshold per
 * month (across processes sharing the state), to the listener given to {@link
 * RGridBuilder#onSpendingAlert} and as a warning in the log.
 *
 * @param month the calendar month (UTC)
 * @param thresholdPercent the threshold crossed, in percent of the limit
 * @param spentMicros what executions that finished this month cost so far
 * @param limitMicros the monthly limit
 */
public record SpendingAlert(YearMonth month, int thresholdPercent, long spentMicros,
    long limitMicros) {
  /** One line for people. */
  public String message() {
    return "spending in " + month + " reached " + thresholdPercent + "% of the monthly limit: "
        + CostReport.format(spentMicros) + " of " + CostReport.format(limitMicros);
  }
}
