package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every execution is costed in integer micros from its run time and its worker's price. */
class CostTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  // €3.60 an hour: exactly one micro per millisecond, so costs are easy to check.
  private static final long PRICE = 3_600_000L;

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void aRunCostsItsRunTimeAtTheHourlyPriceRoundedUpAndACacheHitNothing() throws Exception {
    Path script = Files.writeString(src.resolve("s.py"), "import time\ntime.sleep(0.2)\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(PRICE).build()) {
      ExecutionRecord ran = rgrid.run(RunSpec.builder(script).label("team", "a").build())
          .await(DEADLINE).orElseThrow();
      assertThat(ran.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      long nanos = Duration.between(ran.startedAt(), ran.finishedAt()).toNanos();
      assertThat(ran.costMicros()).isEqualTo((nanos + 999_999) / 1_000_000)
          .isGreaterThanOrEqualTo(200);
      ExecutionRecord hit = rgrid.run(RunSpec.builder(script).label("team", "a").build())
          .await(DEADLINE).orElseThrow();
      assertThat(hit.cached()).isTrue();
      assertThat(hit.costMicros()).isZero();

      Path failing = Files.writeString(src.resolve("f.py"), "raise SystemExit(2)\n");
      ExecutionRecord failed = rgrid.run(RunSpec.builder(failing).build()).await(DEADLINE)
          .orElseThrow();
      assertThat(failed.costMicros()).as("failures cost what they ran").isPositive();

      Instant since = ran.createdAt().minusSeconds(1);
      Instant until = Instant.now().plusSeconds(1);
      CostReport total = rgrid.costs(since, until, "total");
      assertThat(total.executions()).isEqualTo(3);
      assertThat(total.totalMicros()).isEqualTo(ran.costMicros() + failed.costMicros());
      CostReport byLabel = rgrid.costs(since, until, "label");
      assertThat(byLabel.lines()).extracting(CostReport.Line::key)
          .containsExactly("team=a", "(none)");
      assertThat(byLabel.lines().get(0).executions()).isEqualTo(2);
      assertThat(rgrid.costs(since, until, "runtime").lines()).singleElement()
          .satisfies(l -> assertThat(l.key()).isEqualTo("python3.11"));
      assertThat(rgrid.costs(ran.finishedAt().plusSeconds(3600), until.plusSeconds(7200),
          "day").executions()).isZero();
      assertThat(CostReport.format(1_500_000)).isEqualTo("€1.50");
    }
  }

  @Test
  void theLocalPriceComesFromTheConfigFileAndBadValuesAreRefused() throws Exception {
    Files.createDirectories(home);
    Files.writeString(home.resolve("config.properties"), "price.local=€0.36\n");
    Path script = Files.writeString(src.resolve("s.py"), "print(1)\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      ExecutionRecord r = rgrid.run(RunSpec.builder(script).build()).await(DEADLINE)
          .orElseThrow();
      long nanos = Duration.between(r.startedAt(), r.finishedAt()).toNanos();
      // 360,000 micros an hour: 1 micro per 10 ms, rounded up.
      assertThat(r.costMicros()).isEqualTo((nanos + 9_999_999) / 10_000_000);
      assertThatThrownBy(() -> rgrid.costs(r.createdAt(), r.createdAt(), "total"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rgrid.costs(r.createdAt(), Instant.now(), "week"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> rgrid.costs("yesterday", null, "total"))
          .isInstanceOf(InvalidRunSpecException.class);
      assertThatThrownBy(() -> rgrid.costs("2026-12-01", "2026-11-01", "total"))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("out of order");
    }
    for (String bad : new String[] {"-1", "€", "1e3", "$5", "lots"}) {
      Files.writeString(home.resolve("config.properties"), "price.local=" + bad + "\n");
      assertThatThrownBy(() -> RGrid.builder().home(home).build()).as(bad)
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("price.local");
    }
    assertThatThrownBy(() -> RGrid.builder().hourlyPrice(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
