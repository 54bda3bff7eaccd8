package dev.rgrid.core;

import dev.rgrid.spi.account.AccountId;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * This month's spending crossed a threshold of a monthly limit: the global one, or an account's
 * own. Raised once per limit, threshold and month (across processes sharing the state), to the
 * listener given to {@link RGridBuilder#onSpendingAlert} and as a warning in the log.
 *
 * @param month the calendar month (UTC)
 * @param thresholdPercent the threshold crossed, in percent of the limit
 * @param spentMicros what executions that finished this month cost so far (the account's, for
 *     an account's limit)
 * @param limitMicros the monthly limit
 * @param account the account whose limit it is; empty for the global limit
 */
public record SpendingAlert(YearMonth month, int thresholdPercent, long spentMicros,
    long limitMicros, Optional<AccountId> account) {
  /** Checks that nothing is null. */
  public SpendingAlert {
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(account, "account");
  }

  /** An alert of the global limit. */
  public SpendingAlert(YearMonth month, int thresholdPercent, long spentMicros,
      long limitMicros) {
    this(month, thresholdPercent, spentMicros, limitMicros, Optional.empty());
  }

  /** One line for people. */
  public String message() {
    String whose = account.map(a -> "spending of account " + a + " in " + month + " reached "
        + thresholdPercent + "% of its monthly limit: ").orElse("spending in " + month
        + " reached " + thresholdPercent + "% of the monthly limit: ");
    return whose + CostReport.format(spentMicros) + " of " + CostReport.format(limitMicros);
  }
}
