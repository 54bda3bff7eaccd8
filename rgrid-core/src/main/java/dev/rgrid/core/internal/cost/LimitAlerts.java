package dev.rgrid.core.internal.cost;

import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Raises each threshold of a {@link SpendingLimit} once per UTC calendar month. It remembers which
 * thresholds it raised in the current month and forgets them when the clock enters a new month.
 * State that must survive a restart is handed back with {@link #LimitAlerts(SpendingLimit, Clock,
 * YearMonth, Set)}.
 */
public final class LimitAlerts {
  private final SpendingLimit limit;
  private final Clock clock;
  private YearMonth month;
  private final Set<Integer> raised = new TreeSet<>();

  /** Alerts for {@code limit}, with nothing raised yet. */
  public LimitAlerts(SpendingLimit limit, Clock clock) {
    this(limit, clock, SpendingLimit.month(clock), Set.of());
  }

  /**
   * Alerts for {@code limit}, resuming from thresholds already raised in {@code month}; if that
   * month is over by {@code clock}, they are forgotten on the first {@link #update}.
   */
  public LimitAlerts(SpendingLimit limit, Clock clock, YearMonth month, Set<Integer> raised) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.month = Objects.requireNonNull(month, "month");
    this.raised.addAll(raised);
  }

  /** The UTC calendar month the clock is in now: the caller sums spending over this month. */
  public YearMonth currentMonth() {
    return SpendingLimit.month(clock);
  }

  /**
   * Reports the thresholds that {@code spentThisMonth} newly crosses in the clock's current month.
   *
   * @param spentThisMonth what was spent in {@link #currentMonth()}, in micros
   * @return the new alerts, lowest threshold first; empty when nothing new was crossed
   */
  public synchronized List<LimitAlert> update(long spentThisMonth) {
    YearMonth now = currentMonth();
    if (!now.equals(month)) {
      month = now;
      raised.clear();
    }
    List<LimitAlert> alerts = new ArrayList<>();
    for (int t : limit.check(spentThisMonth, raised)) {
      raised.add(t);
      alerts.add(new LimitAlert(now, t, spentThisMonth, limit.limitMicros()));
    }
    return List.copyOf(alerts);
  }

  /** The thresholds raised so far in the month last seen by {@link #update}. */
  public synchronized Set<Integer> raised() {
    return Collections.unmodifiableSet(new TreeSet<>(raised));
  }

  /** The month {@link #raised()} belongs to. */
  public synchronized YearMonth month() {
    return month;
  }
}
