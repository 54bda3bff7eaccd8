package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import java.time.Instant;
import java.util.Optional;

/**
 * Spending per scope ({@link LimitSetting#GLOBAL} or an account id): what finished executions
 * cost, the monthly limits, and which limit alerts were raised. Part of {@link MetadataStore}; the
 * costs are those of the stored executions ({@link ExecutionStore}). Every method may throw {@link
 * BackendUnavailableException}, and {@link IllegalArgumentException} for a scope that is neither
 * (see {@link LimitSetting#checkScope}).
 */
public interface SpendingStore {

  /**
   * What executions that finished in [{@code since}, {@code until}) cost together, in micros: all
   * of them. The same as {@link #spentMicros(String, Instant, Instant)} with the global scope.
   */
  default long spentMicros(Instant since, Instant until) {
    return spentMicros(LimitSetting.GLOBAL, since, until);
  }

  /**
   * What executions that finished in [{@code since}, {@code until}) cost together, in micros,
   * within {@code scope}: every execution for {@link LimitSetting#GLOBAL}, else only those
   * labelled {@link dev.rgrid.spi.account.AccountId#LABEL} with that account id.
   *
   * @throws IllegalArgumentException when {@code scope} is neither (see {@link
   *     LimitSetting#checkScope})
   */
  long spentMicros(String scope, Instant since, Instant until);

  /** The global monthly spending limit, if one is set. */
  default Optional<LimitSetting> spendingLimit() {
    return spendingLimit(LimitSetting.GLOBAL);
  }

  /**
   * The monthly spending limit of {@code scope}, if one is set. Each scope has its own, set
   * independently: the global one caps everything, an account's caps that account.
   */
  Optional<LimitSetting> spendingLimit(String scope);

  /** Sets the global monthly spending limit, or removes it ({@code null}). */
  default void setSpendingLimit(LimitSetting limit) {
    setSpendingLimit(LimitSetting.GLOBAL, limit);
  }

  /** Sets the monthly spending limit of {@code scope}, or removes it ({@code null}). */
  void setSpendingLimit(String scope, LimitSetting limit);

  /**
   * Records that the alert of the global limit for {@code thresholdPercent} was raised in {@code
   * month} ({@code 2026-11}), at {@code at}.
   *
   * @return {@code true} only for the first call for that month and threshold, across processes
   */
  default boolean raiseLimitAlert(String month, int thresholdPercent, Instant at) {
    return raiseLimitAlert(LimitSetting.GLOBAL, month, thresholdPercent, at);
  }

  /**
   * Records that the alert of {@code scope}'s limit for {@code thresholdPercent} was raised in
   * {@code month} ({@code 2026-11}), at {@code at}. Scopes do not share alerts: an account's 50%
   * alert is not the global one's.
   *
   * @return {@code true} only for the first call for that scope, month and threshold, across
   *     processes
   * @throws IllegalArgumentException when {@code month} is not {@code YYYY-MM} or the threshold
   *     is not from 1 to 100
   */
  boolean raiseLimitAlert(String scope, String month, int thresholdPercent, Instant at);
}
