package dev.rgrid.core.internal.cost;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.SpendingAlert;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.core.internal.alert.AlertEvents;
import dev.rgrid.core.preparation.SpendingLimits;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monthly spending limits: the global one, which every execution counts towards, and each
 * account's own, which only that account's executions (labelled {@link AccountId#LABEL}) count
 * towards. A new execution is refused once this month's costs reached either limit that applies
 * to it; each threshold's alert is raised once per limit and month when a finished execution's
 * cost crosses it.
 */
public final class Spending {
  private static final Logger LOG = LoggerFactory.getLogger(Spending.class);

  private final MetadataStore store;
  private final Clock clock;
  private final Consumer<SpendingAlert> listener;
  private final AlertEvents webhooks;

  /**
   * The limits and costs in {@code store}, telling {@code listener} of crossed thresholds and
   * offering them to the scope's webhook through {@code webhooks}.
   */
  public Spending(MetadataStore store, Clock clock, Consumer<SpendingAlert> listener,
      AlertEvents webhooks) {
    this.store = store;
    this.clock = clock;
    this.listener = listener;
    this.webhooks = webhooks;
  }

  /** The account an execution with these labels belongs to; empty for a local one. */
  public static Optional<AccountId> accountOf(Map<String, String> labels) {
    String value = labels.get(AccountId.LABEL);
    // Only a server sets the label, always to a valid id; anything else counts as no account
    // rather than failing the run over a label it cannot have chosen.
    return AccountId.isAccountId(value) ? Optional.of(AccountId.of(value)) : Optional.empty();
  }

  /** This month's spending and the global limit. */
  public SpendingStatus status() {
    return status(LimitSetting.GLOBAL);
  }

  /** This month's spending of {@code account} and its own limit. */
  public SpendingStatus status(AccountId account) {
    return status(account.value());
  }

  /** Sets the global limit ({@code null}: removes it); thresholds default to 50, 80, 100 %. */
  public void set(Long limitMicros, List<Integer> thresholds) {
    set(LimitSetting.GLOBAL, limitMicros, thresholds);
  }

  /** Sets {@code account}'s own limit ({@code null}: removes it), as {@link #set}. */
  public void set(AccountId account, Long limitMicros, List<Integer> thresholds) {
    set(account.value(), limitMicros, thresholds);
  }

  /**
   * Refuses a new execution of {@code account} (empty: a local one) when this month's spending
   * has reached its account's limit or the global limit.
   *
   * @throws SpendingLimitException then, saying which limit
   */
  public void checkBeforeRun(Optional<AccountId> account) {
    // The account's own limit first: it is the one its user can change.
    if (account.isPresent()) {
      String scope = account.get().value();
      Optional<LimitSetting> own = store.spendingLimit(scope);
      if (own.isPresent()) {
        YearMonth month = SpendingLimit.month(clock);
        long spent = spentIn(scope, month);
        if (policy(own.get()).refuses(spent)) {
          throw new SpendingLimitException("the monthly spending limit of account "
              + account.get() + " (" + CostReport.format(own.get().limitMicros())
              + ") is reached: " + CostReport.format(spent) + " spent in " + month,
              "raise it with `rgrid limit set AMOUNT` (PUT /api/v1/limits), remove it with "
                  + "`rgrid limit remove`, or wait for next month");
        }
      }
    }
    Optional<LimitSetting> global = store.spendingLimit(LimitSetting.GLOBAL);
    if (global.isEmpty()) {
      return;
    }
    YearMonth month = SpendingLimit.month(clock);
    long spent = spentIn(LimitSetting.GLOBAL, month);
    if (!policy(global.get()).refuses(spent)) {
      return;
    }
    if (account.isPresent()) {
      // What the whole installation spends is not an account's business: no amounts.
      throw new SpendingLimitException("the server's global monthly spending limit is reached "
          + "for " + month + ": no new runs for any account",
          "ask the server's administrator to raise it, or wait for next month");
    }
    throw new SpendingLimitException("the global monthly spending limit of "
        + CostReport.format(global.get().limitMicros()) + " is reached: "
        + CostReport.format(spent) + " spent in " + month,
        "raise it with `rgrid limit set AMOUNT`, remove it with `rgrid limit remove`, or "
            + "wait for next month");
  }

  /**
   * As {@link #checkBeforeRun(Optional)}, and also refuses work whose estimated cost would take
   * this month's spending past a limit that applies, as it would otherwise overshoot the limit by
   * its whole cost. The estimate reads history: it is asked for only when a limit applies. Work
   * without history to go by (no estimated cost: callers estimate from past runs of the same
   * script only) is refused only once a limit is reached.
   *
   * @param estimate what the work would cost
   * @throws SpendingLimitException when a limit is reached or the work would cross one
   */
  public void checkBeforeRun(Optional<AccountId> account, Supplier<Estimate> estimate) {
    checkBeforeRun(account);
    Optional<LimitSetting> own = account.flatMap(a -> store.spendingLimit(a.value()));
    Optional<LimitSetting> global = store.spendingLimit(LimitSetting.GLOBAL);
    if (own.isEmpty() && global.isEmpty()) {
      return;
    }
    Estimate e = estimate.get();
    long cost = e.costMicros().orElse(0L);
    if (cost <= 0) {
      return;
    }
    YearMonth month = SpendingLimit.month(clock);
    String what = (e.inputs() == 1 ? "this run" : "these " + e.inputs() + " runs")
        + " would cost about " + CostReport.format(cost) + " (from " + e.basis() + ")";
    String hint = "raise the limit with `rgrid limit set AMOUNT`, run fewer inputs, or wait "
        + "for next month";
    if (own.isPresent()) {
      long spent = spentIn(account.get().value(), month);
      if (Math.addExact(spent, cost) > own.get().limitMicros()) {
        throw new SpendingLimitException(what + ", more than the "
            + CostReport.format(own.get().limitMicros() - spent) + " left of the monthly spending "
            + "limit of account " + account.get() + " (" + CostReport.format(own.get()
            .limitMicros()) + "; " + CostReport.format(spent) + " spent in " + month + ")", hint);
      }
    }
    if (global.isPresent()) {
      long spent = spentIn(LimitSetting.GLOBAL, month);
      if (Math.addExact(spent, cost) > global.get().limitMicros()) {
        if (account.isPresent()) {
          // What the whole installation spends is not an account's business: no amounts.
          throw new SpendingLimitException(what + ", more than is left of the server's global "
              + "monthly spending limit for " + month, "run fewer inputs, ask the server's "
              + "administrator to raise the limit, or wait for next month");
        }
        throw new SpendingLimitException(what + ", more than the "
            + CostReport.format(global.get().limitMicros() - spent) + " left of the global "
            + "monthly spending limit of " + CostReport.format(global.get().limitMicros()) + " ("
            + CostReport.format(spent) + " spent in " + month + ")", hint);
      }
    }
  }

  /**
   * Raises the alerts whose thresholds this month's spending crossed, once each: of the global
   * limit, and of the limit of the execution's account.
   */
  public void afterCost(ExecutionRecord done) {
    if (done.costMicros() <= 0) {
      return;
    }
    try {
      raiseCrossed(Optional.empty());
      Optional<AccountId> account = accountOf(done.spec().labels());
      if (account.isPresent()) {
        raiseCrossed(account);
      }
    } catch (RuntimeException e) {
      // An alert that could not be raised now is raised by the next costed execution.
      LOG.warn("could not check the spending limit after {}: {}", done.id(), e.getMessage());
    }
  }

  private void raiseCrossed(Optional<AccountId> account) {
    String scope = account.map(AccountId::value).orElse(LimitSetting.GLOBAL);
    Optional<LimitSetting> limit = store.spendingLimit(scope);
    if (limit.isEmpty()) {
      return;
    }
    YearMonth month = SpendingLimit.month(clock);
    long spent = spentIn(scope, month);
    Instant now = clock.instant();
    for (int threshold : policy(limit.get()).check(spent, Set.of())) {
      SpendingAlert alert = new SpendingAlert(month, threshold, spent,
          limit.get().limitMicros(), account);
      // Offered to the webhook on every crossing seen, before it is marked raised: the outbox
      // keeps it once by its id, and an offer lost with a process is made by the next one.
      webhooks.spending(alert);
      if (store.raiseLimitAlert(scope, month.toString(), threshold, now)) {
        LOG.warn("{}", alert.message());
        try {
          listener.accept(alert);
        } catch (RuntimeException e) {
          LOG.warn("the spending alert listener failed", e);
        }
      }
    }
  }

  private SpendingStatus status(String scope) {
    YearMonth month = SpendingLimit.month(clock);
    return new SpendingStatus(store.spendingLimit(scope), month, spentIn(scope, month));
  }

  private void set(String scope, Long limitMicros, List<Integer> thresholds) {
    store.setSpendingLimit(scope, limitMicros == null ? null
        : SpendingLimits.setting(limitMicros, thresholds));
  }

  private long spentIn(String scope, YearMonth month) {
    return store.spentMicros(scope, SpendingLimit.monthStart(month),
        SpendingLimit.monthEnd(month));
  }

  private static SpendingLimit policy(LimitSetting s) {
    return new SpendingLimit(s.limitMicros(), s.thresholdsPercent());
  }
}
