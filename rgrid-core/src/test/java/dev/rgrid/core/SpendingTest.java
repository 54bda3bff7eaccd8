package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monthly spending limit: alerts once per threshold, then new runs refused. */
class SpendingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long ONE_MICRO_PER_MS = 3_600_000L; // €3.60 an hour

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void alertsOnceThenRefusesNewRunsButNotCacheHits() throws Exception {
    List<SpendingAlert> alerts = new CopyOnWriteArrayList<>();
    Path script = Files.writeString(src.resolve("s.py"), "import time\ntime.sleep(0.2)\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS)
        .onSpendingAlert(alerts::add).build()) {
      assertThat(rgrid.spending().limit()).isEmpty();
      rgrid.setSpendingLimit(150L, List.of(50, 100));
      ExecutionRecord first = rgrid.run(RunSpec.builder(script).build()).await(DEADLINE)
          .orElseThrow();
      assertThat(first.costMicros()).isGreaterThanOrEqualTo(200);
      assertThat(alerts).extracting(SpendingAlert::thresholdPercent).containsExactly(50, 100);
      assertThat(alerts.get(1).message()).contains("100% of the monthly limit")
          .contains("€0.00015");
      SpendingStatus status = rgrid.spending();
      assertThat(status.spentMicros()).isEqualTo(first.costMicros());
      assertThat(status.remainingMicros()).contains(0L);

      Path other = Files.writeString(src.resolve("t.py"), "print(1)\n");
      assertThatThrownBy(() -> rgrid.run(RunSpec.builder(other).build()))
          .isInstanceOf(SpendingLimitException.class).hasMessageContaining("is reached");
      ExecutionRecord hit = rgrid.run(RunSpec.builder(script).build()).await(DEADLINE)
          .orElseThrow();
      assertThat(hit.cached()).as("a cache hit costs nothing, so it is allowed").isTrue();

      rgrid.setSpendingLimit(1_000_000L, List.of());
      ExecutionRecord allowed = rgrid.run(RunSpec.builder(other).build()).await(DEADLINE)
          .orElseThrow();
      assertThat(allowed.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(alerts).as("nothing new crossed").hasSize(2);
      rgrid.setSpendingLimit(null, null);
      assertThat(rgrid.spending().limit()).isEmpty();
    }
    // Another instance on the same state: the alerts of this month were raised already.
    List<SpendingAlert> later = new CopyOnWriteArrayList<>();
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS)
        .onSpendingAlert(later::add).build()) {
      rgrid.setSpendingLimit(10_000L, List.of(1));
      Path third = Files.writeString(src.resolve("u.py"), "print(3)\n");
      rgrid.run(RunSpec.builder(third).build()).await(DEADLINE).orElseThrow();
      assertThat(later).extracting(SpendingAlert::thresholdPercent).containsExactly(1);
    }
  }

  @Test
  void aRunsAwaitReturnsOnlyOnceTheAlertsItsEndRaisedAreSaid() throws Exception {
    List<SpendingAlert> alerts = new CopyOnWriteArrayList<>();
    Path script = Files.writeString(src.resolve("s.py"), "import time\ntime.sleep(0.2)\n");
    // A slow listener widens the moment between the end being stored (seen by await's store
    // check) and the worker raising the alerts it crossed, the race a CLI command in the agent
    // lost: it ended before its alert was said.
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS)
        .onSpendingAlert(alert -> {
          try {
            Thread.sleep(700);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          alerts.add(alert);
        }).build()) {
      rgrid.setSpendingLimit(100L, List.of(100));

      rgrid.run(RunSpec.builder(script).build()).await(DEADLINE).orElseThrow();

      assertThat(alerts).extracting(SpendingAlert::thresholdPercent).containsExactly(100);
    }
  }

  @Test
  void badLimitsAreRefused() {
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      assertThatThrownBy(() -> rgrid.setSpendingLimit(-1L, List.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rgrid.setSpendingLimit(5L, List.of(80, 50)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rgrid.setSpendingLimit(5L, List.of(0)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rgrid.setSpendingLimit(5L, List.of(150)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aRunOrBatchThatWouldCrossTheLimitByItsEstimateIsRefusedAheadButAnUnknownScriptIsNot()
      throws Exception {
    Path script = Files.writeString(src.resolve("s.py"), "import time\ntime.sleep(0.2)\n");
    Files.writeString(src.resolve("in1.txt"), "1");
    Files.writeString(src.resolve("in2.txt"), "2");
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS).build()) {
      ExecutionRecord first = rgrid.run(RunSpec.builder(script).args(List.of("a")).build())
          .await(DEADLINE).orElseThrow();
      long spent = rgrid.spending().spentMicros();
      assertThat(first.costMicros()).isGreaterThanOrEqualTo(200);
      rgrid.setSpendingLimit(spent + 10, List.of());
      assertThatThrownBy(() -> rgrid.run(RunSpec.builder(script).args(List.of("b")).build()))
          .isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining("this run would cost about")
          .hasMessageContaining("€0.00001 left of the global monthly spending limit");
      assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(RunSpec.builder(script)
              .args(List.of("{}")).build()).inputs(List.of(src.resolve("in1.txt"),
                  src.resolve("in2.txt"))).build()))
          .isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining("these 2 runs would cost about");
      // No history of this script: only a reached limit refuses it (the runtime's other scripts
      // are too loose a guess), so it runs, and may overshoot.
      Path other = Files.writeString(src.resolve("t.py"), "print(1)\n");
      assertThat(rgrid.run(RunSpec.builder(other).build()).await(DEADLINE).orElseThrow()
          .status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }
  }
}
