package dev.rgrid.core.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.tck.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueReaderTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  @Test
  void theP95IsTheNearestRankAndZeroOfNothing() {
    assertThat(QueueReader.p95(List.of())).isEqualTo(Duration.ZERO);
    List<Duration> hundred = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      hundred.add(Duration.ofSeconds(i));
    }
    assertThat(QueueReader.p95(hundred)).isEqualTo(Duration.ofSeconds(95));
    assertThat(QueueReader.p95(List.of(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
  }

  private static ExecutionRecord created(Duration ago) {
    return Fixtures.queued(NOW.minus(ago), Map.of(), null);
  }

  private static ExecutionRecord started(ExecutionRecord r, Duration ago) {
    Instant at = NOW.minus(ago);
    return r.toBuilder().transition(ExecutionStatus.RUNNING, at).startedAt(at).build();
  }

  private static ExecutionRecord ended(ExecutionRecord r, Duration ago) {
    Instant at = NOW.minus(ago);
    return r.toBuilder().transition(ExecutionStatus.SUCCEEDED, at).finishedAt(at).build();
  }

  @Test
  void recentWaitsCountWorkStillWaitingAndWorkStartedLatelyAndRunTimesOfWorkEndedLately() {
    List<ExecutionRecord> recent = List.of(
        created(Duration.ofMinutes(7)), // still waiting: 7 min so far
        started(created(Duration.ofMinutes(10)), Duration.ofMinutes(8)), // waited 2 min
        ended(started(created(Duration.ofMinutes(30)), Duration.ofMinutes(20)),
            Duration.ofMinutes(14)), // waited 10 min, too long ago; ran 6 min
        ended(started(created(Duration.ofHours(3)), Duration.ofHours(2)),
            Duration.ofMinutes(90)), // ended before the run window: not typical any more
        ended(started(created(Duration.ofMinutes(5)), Duration.ofMinutes(5)),
            Duration.ofMinutes(3)).toBuilder().cachedFrom(created(Duration.ofHours(1)).id())
            .build()); // a cache hit: neither waited nor ran on a worker
    QueueState state = QueueReader.summarise(3, 1, recent, NOW);
    assertThat(state.waiting()).isEqualTo(3);
    assertThat(state.running()).isEqualTo(1);
    assertThat(state.recentWaitP95()).isEqualTo(Duration.ofMinutes(7));
    assertThat(state.typicalRun()).contains(Duration.ofMinutes(6));
  }

  @Test
  void nothingRecentMeansNoWaitAndNoTypicalRun() {
    QueueState state = QueueReader.summarise(0, 0, List.of(), NOW);
    assertThat(state.recentWaitP95()).isEqualTo(Duration.ZERO);
    assertThat(state.typicalRun()).isEmpty();
  }
}
