package dev.rgrid.core.internal.engine;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.SpendingAlert;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.core.internal.cost.SpendingLimit;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LimitSetting;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monthly spending limit: refuses new executions once this month's costs reached it, and
 * raises each threshold's alert once per month when a finished execution's cost crosses it.
 */
public final class Spending {
  private static final Logger LOG = LoggerFactory.getLogger(Spending.class);

  private final EngineContext ctx;
  private final Consumer<SpendingAlert> listener;

  Spending(EngineContext ctx, Consumer<SpendingAlert> listener) {
    this.ctx = ctx;
    this.listener = listener;
  }

  /** This month's spending and the limit. */
  public SpendingStatus status() {
    YearMonth month = SpendingLimit.month(ctx.clock());
    return new SpendingStatus(ctx.store().spendingLimit(), month, spentIn(month));
  }

  /** Sets the limit ({@code null}: removes it); thresholds default to 50, 80 and 100 %. */
  public void set(Long limitMicros, List<Integer> thresholds) {
    ctx.store().setSpendingLimit(limitMicros == null ? null : new LimitSetting(limitMicros,
        thresholds == null || thresholds.isEmpty() ? SpendingLimit.DEFAULT_THRESHOLDS
            : thresholds));
  }

  /**
   * Refuses a new execution when this month's spending has reached the limit.
   *
   * @throws SpendingLimitException then
   */
  void checkBeforeRun() {
    Optional<LimitSetting> limit = ctx.store().spendingLimit();
    if (limit.isEmpty()) {
      return;
    }
    YearMonth month = SpendingLimit.month(ctx.clock());
    long spent = spentIn(month);
    if (policy(limit.get()).refuses(spent)) {
      throw new SpendingLimitException("the monthly spending limit of "
          + CostReport.format(limit.get().limitMicros()) + " is reached: "
          + CostReport.format(spent) + " spent in " + month,
          "raise it with `rgrid limit set AMOUNT`, remove it with `rgrid limit remove`, or "
              + "wait for next month");
    }
  }

  /** Raises the alerts whose thresholds this month's spending crossed, once each. */
  void afterCost(ExecutionRecord done) {
    if (done.costMicros() <= 0) {
      return;
    }
    try {
      Optional<LimitSetting> limit = ctx.store().spendingLimit();
      if (limit.isEmpty()) {
        return;
      }
      YearMonth month = SpendingLimit.month(ctx.clock());
      long spent = spentIn(month);
      Instant now = ctx.clock().instant();
      for (int threshold : policy(limit.get()).check(spent, Set.of())) {
        if (ctx.store().raiseLimitAlert(month.toString(), threshold, now)) {
          SpendingAlert alert = new SpendingAlert(month, threshold, spent,
              limit.get().limitMicros());
          LOG.warn("{}", alert.message());
          try {
            listener.accept(alert);
          } catch (RuntimeException e) {
            LOG.warn("the spending alert listener failed", e);
          }
        }
      }
    } catch (RuntimeException e) {
      // An alert that could not be raised now is raised by the next costed execution.
      LOG.warn("could not check the spending limit after {}: {}", done.id(), e.getMessage());
    }
  }

  private long spentIn(YearMonth month) {
    return ctx.store().spentMicros(SpendingLimit.monthStart(month), SpendingLimit.monthEnd(month));
  }

  private static SpendingLimit policy(LimitSetting s) {
    return new SpendingLimit(s.limitMicros(), s.thresholdsPercent());
  }
}
