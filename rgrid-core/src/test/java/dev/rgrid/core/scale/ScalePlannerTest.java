package dev.rgrid.core.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.scale.ScaledMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScalePlannerTest {
  private static final Instant T0 = Instant.parse("2026-12-05T08:00:00Z");
  private static final ScalePolicy POLICY = ScalePolicy.of(1, 10, Duration.ofMinutes(5), 4);
  private static final ScalePlanner BILLING = ScalePlanner.billingHour(POLICY);

  private static QueueState queue(long waiting, long running) {
    return new QueueState(waiting, running, Duration.ZERO, Optional.empty());
  }

  private static QueueState queue(long waiting, long running, Duration run) {
    return new QueueState(waiting, running, Duration.ZERO, Optional.of(run));
  }

  private static ScaledMachine started(String id, Duration ago, Instant now) {
    return new ScaledMachine(id, now.minus(ago));
  }

  @Test
  void aBacklogWithoutKnownRunTimesGetsASlotPerWaitingExecutionAtOnce() {
    ScaleDecision d = BILLING.decide(queue(10, 2), 1, List.of(), T0);
    assertThat(d.target()).isEqualTo(3); // 12 slots, 4 per machine
    assertThat(d.reason()).isEqualTo(ScaleReason.UP_FOR_BACKLOG);
    assertThat(d.changes()).isTrue();
    assertThat(d.why()).contains("10 waiting", "2 running", "needs 3");
  }

  @Test
  void shortRunsDrainTheBacklogWithFewerMachinesThanWaitingExecutions() {
    // 40 runs of 1 minute drained within 5 minutes: 8 slots, 2 machines.
    ScaleDecision d = BILLING.decide(queue(40, 0, Duration.ofMinutes(1)), 1, List.of(), T0);
    assertThat(d.target()).isEqualTo(2);
    // Runs longer than the target wait: one slot each.
    assertThat(BILLING.decide(queue(8, 0, Duration.ofMinutes(30)), 1, List.of(), T0).target())
        .isEqualTo(2);
  }

  @Test
  void recentWaitsAboveTheTargetAskForAtLeastOneMoreMachine() {
    QueueState late = new QueueState(1, 8, Duration.ofMinutes(9),
        Optional.of(Duration.ofSeconds(10)));
    assertThat(BILLING.decide(late, 3, List.of(), T0).target()).isEqualTo(4);
    QueueState onTime = new QueueState(1, 8, Duration.ofMinutes(2),
        Optional.of(Duration.ofSeconds(10)));
    assertThat(BILLING.decide(onTime, 3, List.of(), T0).target()).isEqualTo(3);
  }

  @Test
  void theBoundsHold() {
    assertThat(BILLING.decide(queue(1000, 0), 2, List.of(), T0).target()).isEqualTo(10);
    ScaleDecision min = BILLING.decide(queue(0, 0), 0, List.of(), T0);
    assertThat(min.target()).isEqualTo(1);
    assertThat(min.reason()).isEqualTo(ScaleReason.UP_TO_MIN);
    // Above the maximum: down to it at once, whatever the billed hours.
    List<ScaledMachine> fresh = List.of(started("a", Duration.ofMinutes(1), T0));
    ScaleDecision over = BILLING.decide(queue(0, 0), 12, fresh, T0);
    assertThat(over.target()).isEqualTo(10);
    assertThat(over.reason()).isEqualTo(ScaleReason.DOWN_TO_MAX);
  }

  @Test
  void surplusMachinesAreKeptUntilTheLastMinutesOfTheirBilledHour() {
    Instant now = T0.plus(Duration.ofHours(3));
    List<ScaledMachine> machines = List.of(started("a", Duration.ofMinutes(20), now),
        started("b", Duration.ofMinutes(110), now), started("c", Duration.ofMinutes(30), now));
    ScaleDecision hold = BILLING.decide(queue(0, 2), 3, machines, now);
    assertThat(hold.target()).isEqualTo(3);
    assertThat(hold.reason()).isEqualTo(ScaleReason.HOLD_PAID_HOUR);
    assertThat(hold.why()).contains("2 surplus kept", "the next hour ends in 600s");

    // b's second hour ends in 3 minutes: it stops; a and c are mid-hour and stay.
    Instant later = now.plus(Duration.ofMinutes(7));
    ScaleDecision down = BILLING.decide(queue(0, 2), 3, machines, later);
    assertThat(down.target()).isEqualTo(2);
    assertThat(down.retire()).containsExactly("b");
    assertThat(down.reason()).isEqualTo(ScaleReason.DOWN_AT_HOUR_END);
  }

  @Test
  void aMachineIsNeverStoppedBelowWhatRunningWorkNeeds() {
    Instant now = T0.plus(Duration.ofMinutes(58));
    List<ScaledMachine> machines = List.of(started("a", Duration.ofMinutes(58), now),
        started("b", Duration.ofMinutes(58), now));
    // 8 running need both machines, though both are at their hour's end.
    ScaleDecision d = BILLING.decide(queue(0, 8), 2, machines, now);
    assertThat(d.target()).isEqualTo(2);
    assertThat(d.reason()).isEqualTo(ScaleReason.STEADY);
  }

  @Test
  void aMachineNotListedYetCountsAsJustStarted() {
    Instant now = T0.plus(Duration.ofMinutes(58));
    ScaleDecision d = BILLING.decide(queue(0, 0), 3, List.of(started("a", Duration.ofMinutes(58),
        now)), now);
    assertThat(d.target()).isEqualTo(2); // only a is due; the two unlisted are not
    assertThat(d.retire()).containsExactly("a");
  }

  @Test
  void everyTickStopsSurplusAtOnce() {
    Instant now = T0.plus(Duration.ofMinutes(10));
    List<ScaledMachine> machines = List.of(started("a", Duration.ofMinutes(10), now),
        started("b", Duration.ofMinutes(5), now));
    ScaleDecision d = ScalePlanner.everyTick(POLICY).decide(queue(0, 0), 2, machines, now);
    assertThat(d.target()).isEqualTo(1);
    assertThat(d.reason()).isEqualTo(ScaleReason.DOWN_AT_ONCE);
    assertThat(d.retire()).containsExactly("a"); // nearer its hour's end
  }

  @Test
  void theTimeLeftOfTheBilledHourWrapsEveryHour() {
    ScaledMachine m = new ScaledMachine("a", T0);
    assertThat(ScalePlanner.leftOfHour(m, T0)).isEqualTo(Duration.ofHours(1));
    assertThat(ScalePlanner.leftOfHour(m, T0.plusSeconds(3599))).isEqualTo(Duration.ofSeconds(1));
    assertThat(ScalePlanner.leftOfHour(m, T0.plusSeconds(3600))).isEqualTo(Duration.ofHours(1));
    assertThat(ScalePlanner.leftOfHour(m, T0.plusSeconds(7000))).isEqualTo(Duration.ofSeconds(200));
    assertThat(ScalePlanner.leftOfHour(m, T0.minusSeconds(5))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void hugeBacklogsAndBadValuesAreRefusedOrBounded() {
    QueueState huge = new QueueState(Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofDays(365),
        Optional.of(Duration.ofSeconds(1)));
    assertThat(BILLING.decide(huge, Integer.MAX_VALUE, List.of(), T0).target()).isEqualTo(10);
    assertThatThrownBy(() -> new QueueState(-1, 0, Duration.ZERO, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> ScalePolicy.of(5, 2, Duration.ofMinutes(1), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min 5, max 2");
    assertThatThrownBy(() -> ScalePolicy.of(0, 2, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target wait");
    assertThatThrownBy(() -> new ScalePolicy(0, 2, Duration.ofMinutes(1), 1, Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("release window");
    assertThatThrownBy(() -> BILLING.decide(queue(0, 0), -1, List.of(), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
