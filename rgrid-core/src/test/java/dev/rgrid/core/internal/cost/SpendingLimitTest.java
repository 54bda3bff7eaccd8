package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpendingLimitTest {
  private static final long EURO = 1_000_000;
  private final SpendingLimit hundred = SpendingLimit.of(100 * EURO);

  @Test
  void warnsAtFiftyEightyAndOneHundredPercentByDefault() {
    assertThat(hundred.thresholdsPercent()).containsExactly(50, 80, 100);
    assertThat(hundred.check(50 * EURO - 1, Set.of())).isEmpty();
    assertThat(hundred.check(50 * EURO, Set.of())).containsExactly(50);
    assertThat(hundred.check(85 * EURO, Set.of(50))).containsExactly(80);
    assertThat(hundred.check(100 * EURO, Set.of(50, 80))).containsExactly(100);
    assertThat(hundred.check(100 * EURO, Set.of(50, 80, 100))).isEmpty();
  }

  @Test
  void aJumpPastSeveralThresholdsRaisesAllOfThemInOrder() {
    assertThat(hundred.check(120 * EURO, Set.of())).containsExactly(50, 80, 100);
  }

  @Test
  void thresholdsAreComparedExactlyToTheMicro() {
    SpendingLimit odd = SpendingLimit.of(3); // 50% of 3 micros is 1.5 micros
    assertThat(odd.check(1, Set.of())).isEmpty();
    assertThat(odd.check(2, Set.of())).containsExactly(50);
  }

  @Test
  void refusesOnceSpendingReachesTheLimit() {
    assertThat(hundred.refuses(100 * EURO - 1)).isFalse();
    assertThat(hundred.refuses(100 * EURO)).isTrue();
    assertThat(hundred.refuses(200 * EURO)).isTrue();
    assertThat(hundred.remaining(30 * EURO)).isEqualTo(70 * EURO);
    assertThat(hundred.remaining(300 * EURO)).isZero();
  }

  @Test
  void aZeroLimitRefusesEverythingAndCountsEveryThresholdAsCrossed() {
    SpendingLimit zero = SpendingLimit.of(0);
    assertThat(zero.refuses(0)).isTrue();
    assertThat(zero.check(0, Set.of())).containsExactly(50, 80, 100);
  }

  @Test
  void theLargestValuesDoNotOverflow() {
    SpendingLimit max = SpendingLimit.of(Long.MAX_VALUE);
    assertThat(max.check(Long.MAX_VALUE, Set.of())).containsExactly(50, 80, 100);
    assertThat(max.check(Long.MAX_VALUE - 1, Set.of())).containsExactly(50, 80);
    assertThat(max.refuses(Long.MAX_VALUE - 1)).isFalse();
  }

  @Test
  void parsesALimitWrittenInEuros() {
    assertThat(SpendingLimit.parse("€250.50").limitMicros()).isEqualTo(250_500_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5", "abc", "", "5 USD", "1e9", "99999999999999999999"})
  void aBadLimitIsAMoneyError(String text) {
    CostException e = catchThrowableOfType(CostException.class, () -> SpendingLimit.parse(text));
    assertThat(e.getMessage()).startsWith("spending limit: ");
    assertThat(e.hint()).isPresent();
  }

  @Test
  void customThresholdsAreSortedAndValidated() {
    assertThat(new SpendingLimit(10, List.of(90, 25)).thresholdsPercent()).containsExactly(25, 90);
    assertThat(new SpendingLimit(10, List.of()).check(100, Set.of())).isEmpty();
    assertThatThrownBy(() -> new SpendingLimit(10, List.of(0)))
        .isInstanceOf(CostException.class)
        .hasMessageContaining("not a spending-limit threshold: 0%");
    assertThatThrownBy(() -> new SpendingLimit(10, List.of(101))).isInstanceOf(CostException.class);
    assertThatThrownBy(() -> new SpendingLimit(10, List.of(50, 50)))
        .isInstanceOf(CostException.class)
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> SpendingLimit.of(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hundred.check(-1, Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void monthsAreUtcCalendarMonths() {
    Instant lastSecond = Instant.parse("2026-01-31T23:59:59Z");
    assertThat(SpendingLimit.monthOf(lastSecond)).isEqualTo(YearMonth.of(2026, 1));
    assertThat(SpendingLimit.monthOf(lastSecond.plusSeconds(1))).isEqualTo(YearMonth.of(2026, 2));
    // Kiritimati is UTC+14: its local date is already 1 February, but the month is still UTC's.
    Clock kiritimati = Clock.fixed(lastSecond, ZoneId.of("Pacific/Kiritimati"));
    assertThat(SpendingLimit.month(kiritimati)).isEqualTo(YearMonth.of(2026, 1));
  }

  @Test
  void monthRangesFollowLeapYears() {
    assertThat(length(YearMonth.of(2028, 2))).isEqualTo(Duration.ofDays(29));
    assertThat(length(YearMonth.of(2026, 2))).isEqualTo(Duration.ofDays(28));
    assertThat(length(YearMonth.of(2100, 2))).as("centuries are not leap").isEqualTo(Duration.ofDays(28));
    assertThat(length(YearMonth.of(2000, 2))).isEqualTo(Duration.ofDays(29));
    assertThat(SpendingLimit.monthStart(YearMonth.of(2026, 12)))
        .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(SpendingLimit.monthEnd(YearMonth.of(2026, 12)))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  private static Duration length(YearMonth month) {
    return Duration.between(SpendingLimit.monthStart(month), SpendingLimit.monthEnd(month));
  }
}
