package dev.rgrid.core.internal.cost;

import static dev.rgrid.core.internal.cost.BillingHoursSplitTest.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-worker tracker that closes billing hours as a manual clock moves on. */
class BillingHoursTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final long PRICE = 3_600_000; // €3.60/h: 1000 micros a second, easy to check

  private final ManualClock clock = new ManualClock(T0);
  private final BillingHours hours = new BillingHours(T0, PRICE);
  private final ExecutionId a = id(0);
  private final ExecutionId b = id(1);
  private final ExecutionId c = id(2);

  private void at(String hhmmss) {
    clock.set(Instant.parse("2026-11-01T" + hhmmss + "Z"));
  }

  private List<HourStatement> close() {
    return hours.close(clock.instant());
  }

  @Test
  void splitsEachHourOverItsExecutionsAndReportsIdleHours() {
    hours.started(a, clock.instant());
    at("10:30:00");
    hours.finished(a, clock.instant());
    hours.started(b, clock.instant());
    at("10:45:00");
    hours.finished(b, clock.instant());
    hours.started(c, clock.instant()); // runs across the 11:00 boundary
    at("11:00:00");

    List<HourStatement> first = close();
    assertThat(first).hasSize(1);
    HourStatement hour0 = first.get(0);
    assertThat(hour0.index()).isZero();
    assertThat(hour0.start()).isEqualTo(T0);
    assertThat(hour0.end()).isEqualTo(T0.plusSeconds(3600));
    assertThat(hour0.shares())
        .containsExactly(Map.entry(a, 1_800_000L), Map.entry(b, 900_000L), Map.entry(c, 900_000L));
    assertThat(hour0.idle()).isFalse();
    assertThat(hour0.idleMicros()).isZero();
    assertThat(hours.finalCost(a)).hasValue(1_800_000);
    assertThat(hours.finalCost(b)).hasValue(900_000);
    assertThat(hours.finalCost(c)).as("c is still running").isEmpty();

    at("11:15:00");
    hours.finished(c, clock.instant());
    assertThat(hours.finalCost(c)).as("its last hour is not closed yet").isEmpty();
    at("12:00:00");
    HourStatement hour1 = close().get(0);
    assertThat(hour1.shares()).containsExactly(Map.entry(c, PRICE));
    assertThat(hours.finalCost(c)).hasValue(900_000 + PRICE);

    at("13:00:00");
    HourStatement hour2 = close().get(0);
    assertThat(hour2.idle()).isTrue();
    assertThat(hour2.shares()).isEmpty();
    assertThat(hour2.idleMicros()).isEqualTo(PRICE);

    long attributed = hours.finalCost(a).getAsLong() + hours.finalCost(b).getAsLong()
        + hours.finalCost(c).getAsLong() + hour2.idleMicros();
    assertThat(attributed).as("every micro of three hours is accounted for").isEqualTo(3 * PRICE);
  }

  @Test
  void anExecutionStillRunningIsCountedForClosedHoursOnly() {
    at("10:20:00");
    hours.started(a, clock.instant());
    at("12:05:00");
    List<HourStatement> closed = close();
    assertThat(closed).extracting(HourStatement::index).containsExactly(0L, 1L);
    assertThat(closed).allSatisfy(h -> assertThat(h.shares()).containsExactly(Map.entry(a, PRICE)));
    assertThat(hours.finalCost(a)).isEmpty();

    at("12:30:00");
    hours.finished(a, clock.instant());
    at("13:00:00");
    assertThat(close().get(0).shares()).containsExactly(Map.entry(a, PRICE));
    assertThat(hours.finalCost(a)).hasValue(3 * PRICE);
  }

  @Test
  void closesAnHourOnlyOnceAndOnlyWhenItHasEnded() {
    clock.set(T0.plusSeconds(3600).minusNanos(1));
    assertThat(close()).isEmpty();
    assertThat(hours.closedUntil()).isEqualTo(T0);
    clock.set(T0.plusSeconds(3600));
    assertThat(close()).hasSize(1);
    assertThat(close()).isEmpty();
    assertThat(hours.close(T0)).as("an earlier time closes nothing").isEmpty();
    assertThat(hours.closedUntil()).isEqualTo(T0.plusSeconds(3600));
  }

  @Test
  void closesNothingBeforeThePeriodStarts() {
    assertThat(hours.close(T0.minusSeconds(7200))).isEmpty();
  }

  @Test
  void oneMicroAnHourSplitThreeWaysStillAddsUpToOneMicro() {
    BillingHours cheap = new BillingHours(T0, 1);
    cheap.started(a, T0);
    cheap.finished(a, T0.plusSeconds(1200));
    cheap.started(b, T0.plusSeconds(1200));
    cheap.finished(b, T0.plusSeconds(2400));
    cheap.started(c, T0.plusSeconds(2400));
    cheap.finished(c, T0.plusSeconds(3600));
    HourStatement hour = cheap.close(T0.plusSeconds(3600)).get(0);
    assertThat(hour.shares()).containsExactly(
        Map.entry(a, 1L), Map.entry(b, 0L), Map.entry(c, 0L));
    assertThat(cheap.finalCost(a)).hasValue(1);
    assertThat(cheap.finalCost(b)).hasValue(0);
  }

  @Test
  void tenThousandExecutionsInOneHourCloseWithAnExactSum() {
    long price = 3_599_999;
    BillingHours busy = new BillingHours(T0, price);
    for (int i = 0; i < 10_000; i++) {
      Instant start = T0.plusMillis(300L * i);
      busy.started(id(i), start);
      busy.finished(id(i), start.plusMillis(200 + i % 7));
    }
    HourStatement hour = busy.close(T0.plusSeconds(3600)).get(0);

    assertThat(hour.shares()).hasSize(10_000);
    assertThat(hour.shares().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(price);
    long finalSum = 0;
    for (int i = 0; i < 10_000; i++) {
      finalSum += busy.finalCost(id(i)).orElseThrow();
    }
    assertThat(finalSum).isEqualTo(price);
  }

  @Test
  void aStoppedWorkerPaysForTheHourItStartedAndSettlesEveryExecution() {
    hours.started(a, T0);
    hours.finished(a, T0.plusSeconds(600));
    hours.started(b, T0.plusSeconds(3000));

    List<HourStatement> last = hours.terminate(T0.plusSeconds(4800));

    assertThat(last).extracting(HourStatement::index).containsExactly(0L, 1L);
    assertThat(last.get(0).shares())
        .containsExactly(Map.entry(a, PRICE / 2), Map.entry(b, PRICE / 2));
    assertThat(last.get(1).shares()).containsExactly(Map.entry(b, PRICE));
    assertThat(hours.finalCost(b)).hasValue(PRICE / 2 + PRICE);
    hours.finished(b, T0.plusSeconds(4800)); // reported after the stop: ignored
    assertThat(hours.finalCost(b)).hasValue(PRICE / 2 + PRICE);
    assertThat(hours.close(T0.plusSeconds(36_000))).isEmpty();
    assertThatThrownBy(() -> hours.started(c, T0.plusSeconds(36_000)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stoppingExactlyOnAnHourBoundaryStartsNoNewHour() {
    assertThat(hours.terminate(T0.plusSeconds(3600))).hasSize(1);
  }

  @Test
  void aFinishReportedAfterItsHourClosedLeavesThatHourAsItWas() {
    hours.started(a, T0);
    assertThat(hours.close(T0.plusSeconds(3600)).get(0).shares()).containsEntry(a, PRICE);
    hours.finished(a, T0.plusSeconds(1800));
    assertThat(hours.finalCost(a)).hasValue(PRICE);
    assertThat(hours.close(T0.plusSeconds(7200)).get(0).idle()).isTrue();
  }

  @Test
  void anExecutionThatTookNoTimeCostsNothing() {
    hours.started(a, T0.plusSeconds(60));
    hours.finished(a, T0.plusSeconds(60));
    HourStatement hour = hours.close(T0.plusSeconds(3600)).get(0);
    assertThat(hour.idle()).isTrue();
    assertThat(hours.finalCost(a)).hasValue(0);
  }

  @Test
  void refusesInconsistentReports() {
    hours.started(a, T0.plusSeconds(10));
    assertThatThrownBy(() -> hours.started(a, T0.plusSeconds(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already recorded");
    assertThatThrownBy(() -> hours.started(b, T0.minusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before the billing period");
    assertThatThrownBy(() -> hours.finished(b, T0.plusSeconds(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not running");
    assertThatThrownBy(() -> hours.finished(a, T0.plusSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before it started");
    hours.finished(a, T0.plusSeconds(30));
    assertThatThrownBy(() -> hours.finished(a, T0.plusSeconds(40)))
        .isInstanceOf(IllegalArgumentException.class);
    hours.close(T0.plusSeconds(3600));
    assertThatThrownBy(() -> hours.started(c, T0.plusSeconds(3599)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already closed");
    assertThatThrownBy(() -> new BillingHours(T0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRunawayClockFailsInsteadOfClosingMillionsOfHours() {
    assertThatThrownBy(() -> hours.close(Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is the clock right?");
    assertThat(hours.closedUntil()).isEqualTo(T0);
  }
}
