package dev.rgrid.core;

import dev.rgrid.spi.store.LimitSetting;
import java.time.YearMonth;
import java.util.Optional;

/**
 * This month's spending and the limit on it.
 *
 * @param limit the monthly limit, when one is set
 * @param month the current calendar month (UTC)
 * @param spentMicros what executions that finished this month cost so far
 */
public record SpendingStatus(Optional<LimitSetting> limit, YearMonth month, long spentMicros) {
  /** What may still be spent this month, when a limit is set (never negative). */
  public Optional<Long> remainingMicros() {
    return limit.map(l -> Math.max(0, l.limitMicros() - spentMicros));
  }
}
