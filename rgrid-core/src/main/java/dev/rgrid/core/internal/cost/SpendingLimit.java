package dev.rgrid.core.internal.cost;

import dev.rgrid.core.preparation.SpendingLimits;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A monthly spending limit with warning thresholds. Months are UTC calendar months, so every
 * server and CLI agrees on when a month ends whatever its own time zone.
 *
 * <p>A limit of 0 refuses every new execution (even when nothing was spent yet): it is the way to
 * freeze spending. Having no limit at all is expressed by having no {@code SpendingLimit}, not
 * by 0. With a limit of 0 every threshold counts as crossed at once, since any spending is at
 * least 100% of nothing.
 *
 * @param limitMicros the most that may be spent in one month, in micros
 * @param thresholdsPercent the percentages of the limit at which a warning is raised, ascending and
 *     distinct, each from 1 to 100; by default 50, 80 and 100
 */
public record SpendingLimit(long limitMicros, List<Integer> thresholdsPercent) {
  /** The warnings raised when no thresholds are given: at 50%, 80% and 100% of the limit. */
  public static final List<Integer> DEFAULT_THRESHOLDS = SpendingLimits.DEFAULT_THRESHOLDS;

  private static final BigInteger HUNDRED = BigInteger.valueOf(100);

  /** Validates the limit and sorts the thresholds. */
  public SpendingLimit {
    if (limitMicros < 0) {
      throw new IllegalArgumentException("spending limit must not be negative: " + limitMicros);
    }
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer t : thresholdsPercent) {
      if (t == null || t < 1 || t > 100) {
        throw new CostException(
            "not a spending-limit threshold: " + t + "%",
            "thresholds are percentages from 1 to 100");
      }
      if (!sorted.add(t)) {
        throw new CostException("threshold " + t + "% is given twice", "list each threshold once");
      }
    }
    thresholdsPercent = List.copyOf(sorted);
  }

  /** A limit of {@code limitMicros} per month with the {@link #DEFAULT_THRESHOLDS}. */
  public static SpendingLimit of(long limitMicros) {
    return new SpendingLimit(limitMicros, DEFAULT_THRESHOLDS);
  }

  /**
   * A limit written by the user as an amount of euros ({@code 100}, {@code €250.50}), with the
   * {@link #DEFAULT_THRESHOLDS}.
   *
   * @throws CostException if the amount is not valid (negative, malformed, …), see {@link
   *     Money#parse}
   */
  public static SpendingLimit parse(String amount) {
    try {
      return of(Money.parse(amount));
    } catch (CostException e) {
      throw new CostException("spending limit: " + e.getMessage(), e.hint().orElse(null), e);
    }
  }

  /**
   * The thresholds that {@code spentThisMonth} has reached (spent ≥ threshold% of the limit) and
   * that are not in {@code alreadyRaised}. Calling it with every threshold it returned added to
   * {@code alreadyRaised} raises each threshold once per month.
   *
   * @param spentThisMonth what was spent in the current month, in micros
   * @param alreadyRaised the thresholds already raised this month
   * @return the newly crossed thresholds, ascending
   */
  public List<Integer> check(long spentThisMonth, Set<Integer> alreadyRaised) {
    requireSpent(spentThisMonth);
    Objects.requireNonNull(alreadyRaised, "alreadyRaised");
    // spent * 100 >= limit * t, exactly: both products can pass Long.MAX_VALUE.
    BigInteger spent100 = BigInteger.valueOf(spentThisMonth).multiply(HUNDRED);
    BigInteger limit = BigInteger.valueOf(limitMicros);
    List<Integer> crossed = new ArrayList<>();
    for (int t : thresholdsPercent) {
      boolean reached = spent100.compareTo(limit.multiply(BigInteger.valueOf(t))) >= 0;
      if (reached && !alreadyRaised.contains(t)) {
        crossed.add(t);
      }
    }
    return List.copyOf(crossed);
  }

  /** True when no new execution may start: {@code spentThisMonth} has reached the limit. */
  public boolean refuses(long spentThisMonth) {
    return requireSpent(spentThisMonth) >= limitMicros;
  }

  /** What may still be spent this month, in micros; 0 once the limit is reached. */
  public long remaining(long spentThisMonth) {
    return Math.max(0, limitMicros - requireSpent(spentThisMonth));
  }

  /** The UTC calendar month that {@code clock} is in. */
  public static YearMonth month(Clock clock) {
    return monthOf(clock.instant());
  }

  /** The UTC calendar month containing {@code instant}. */
  public static YearMonth monthOf(Instant instant) {
    return YearMonth.from(instant.atOffset(ZoneOffset.UTC));
  }

  /** The first instant of {@code month} (UTC): spending is summed from here, inclusive. */
  public static Instant monthStart(YearMonth month) {
    return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The first instant after {@code month} (UTC): spending is summed up to here, exclusive. */
  public static Instant monthEnd(YearMonth month) {
    return monthStart(month.plusMonths(1));
  }

  private static long requireSpent(long spent) {
    if (spent < 0) {
      throw new IllegalArgumentException("spending must not be negative: " + spent);
    }
    return spent;
  }
}
