package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.YearMonth;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LimitAlertsTest {
  private static final long EURO = 1_000_000;
  private final SpendingLimit limit = SpendingLimit.of(100 * EURO);

  @Test
  void raisesEachThresholdOncePerMonth() {
    ManualClock clock = ManualClock.at("2026-01-10T08:00:00Z");
    LimitAlerts alerts = new LimitAlerts(limit, clock);

    assertThat(alerts.update(10 * EURO)).isEmpty();
    assertThat(alerts.update(60 * EURO)).extracting(LimitAlert::thresholdPercent).containsExactly(50);
    assertThat(alerts.update(61 * EURO)).isEmpty();
    assertThat(alerts.update(100 * EURO)).extracting(LimitAlert::thresholdPercent)
        .containsExactly(80, 100);
    assertThat(alerts.update(150 * EURO)).isEmpty();
    assertThat(alerts.raised()).containsExactly(50, 80, 100);
  }

  @Test
  void aNewMonthStartsAfresh() {
    ManualClock clock = ManualClock.at("2026-01-31T23:59:59Z");
    LimitAlerts alerts = new LimitAlerts(limit, clock);
    assertThat(alerts.update(90 * EURO)).hasSize(2);
    assertThat(alerts.month()).isEqualTo(YearMonth.of(2026, 1));

    clock.advance(Duration.ofSeconds(1)); // 2026-02-01T00:00:00Z
    assertThat(alerts.currentMonth()).isEqualTo(YearMonth.of(2026, 2));
    assertThat(alerts.update(0)).isEmpty();
    assertThat(alerts.month()).isEqualTo(YearMonth.of(2026, 2));
    assertThat(alerts.raised()).isEmpty();
    assertThat(alerts.update(55 * EURO))
        .singleElement()
        .satisfies(a -> assertThat(a.month()).isEqualTo(YearMonth.of(2026, 2)));
  }

  @Test
  void theTwentyNinthOfFebruaryBelongsToFebruaryInALeapYear() {
    ManualClock clock = ManualClock.at("2028-02-29T23:59:59Z");
    LimitAlerts alerts = new LimitAlerts(limit, clock);
    assertThat(alerts.update(50 * EURO)).singleElement()
        .satisfies(a -> assertThat(a.month()).isEqualTo(YearMonth.of(2028, 2)));
    clock.advance(Duration.ofSeconds(1));
    assertThat(alerts.update(50 * EURO)).singleElement()
        .satisfies(a -> assertThat(a.month()).isEqualTo(YearMonth.of(2028, 3)));
  }

  @Test
  void resumesFromThresholdsRaisedBeforeARestart() {
    ManualClock clock = ManualClock.at("2026-01-20T00:00:00Z");
    LimitAlerts alerts = new LimitAlerts(limit, clock, YearMonth.of(2026, 1), Set.of(50, 80));
    assertThat(alerts.update(90 * EURO)).isEmpty();

    LimitAlerts stale = new LimitAlerts(limit, clock, YearMonth.of(2025, 12), Set.of(50, 80));
    assertThat(stale.update(90 * EURO)).extracting(LimitAlert::thresholdPercent)
        .containsExactly(50, 80);
  }

  @Test
  void alertsSayWhatWasSpentAgainstTheLimit() {
    LimitAlerts alerts = new LimitAlerts(limit, ManualClock.at("2026-11-03T00:00:00Z"));
    assertThat(alerts.update(100_500_000)).extracting(LimitAlert::message).containsExactly(
        "spending in 2026-11 reached 50% of the monthly limit: €100.50 of €100.00",
        "spending in 2026-11 reached 80% of the monthly limit: €100.50 of €100.00",
        "spending in 2026-11 reached 100% of the monthly limit: €100.50 of €100.00;"
            + " new executions are refused until next month");
  }

  @Test
  void aZeroLimitAlertsOnceAtTheStartOfEachMonth() {
    ManualClock clock = ManualClock.at("2026-03-31T12:00:00Z");
    LimitAlerts alerts = new LimitAlerts(SpendingLimit.of(0), clock);
    assertThat(alerts.update(0)).hasSize(3);
    assertThat(alerts.update(0)).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(alerts.update(0)).hasSize(3);
  }
}
