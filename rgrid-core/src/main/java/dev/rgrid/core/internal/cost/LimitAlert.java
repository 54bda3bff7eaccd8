package dev.rgrid.core.internal.cost;

import java.time.YearMonth;

/**
 * A spending-limit threshold crossed in a month.
 *
 * @param month the UTC calendar month
 * @param thresholdPercent the threshold crossed, in percent of the limit
 * @param spentMicros what had been spent in the month when it was crossed
 * @param limitMicros the monthly limit
 */
public record LimitAlert(
    YearMonth month, int thresholdPercent, long spentMicros, long limitMicros) {

  /** One line for people, e.g. {@code spending in 2026-11 reached 80% of the monthly limit…}. */
  public String message() {
    String text =
        "spending in " + month + " reached " + thresholdPercent + "% of the monthly limit: "
            + Money.format(spentMicros) + " of " + Money.format(limitMicros);
    return thresholdPercent >= 100 ? text + "; new executions are refused until next month" : text;
  }
}
