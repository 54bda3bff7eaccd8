package dev.rgrid.spi.store;

import dev.rgrid.spi.account.AccountId;
import java.util.List;

/**
 * A monthly spending limit, as stored. Limits are kept per <em>scope</em>: {@link #GLOBAL} for
 * the whole installation (every execution counts), or an account id ({@link
 * dev.rgrid.spi.account.AccountId#value()}) for the executions labelled with that account.
 *
 * @param limitMicros the most that executions may cost in a calendar month (UTC), in micros
 * @param thresholdsPercent the percentages of the limit at which an alert is raised, ascending,
 *     each from 1 to 100
 */
public record LimitSetting(long limitMicros, List<Integer> thresholdsPercent) {
  /** The scope of the installation-wide limit, which every execution counts towards. */
  public static final String GLOBAL = "";

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

  /**
   * {@code scope} when it is {@link #GLOBAL} or an account id, so that stores may put it in a
   * query as it is.
   *
   * @throws IllegalArgumentException for anything else, including {@code null}
   */
  public static String checkScope(String scope) {
    if (scope == null || !(scope.isEmpty() || AccountId.isAccountId(scope)
        && scope.strip().equals(scope))) {
      String shown = scope == null ? "null" : scope.length() > 60
          ? scope.substring(0, 60) + "…" : scope;
      throw new IllegalArgumentException("not a spending scope: '" + shown + "' (expected \"\" "
          + "for the global limit or an account id such as acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC)");
    }
    return scope;
  }
}
