package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Billing per started hour through the engine, on a clock the test moves: each execution is first
 * costed at its run time, then, once its hour closed, at its share of the hour's price.
 */
class HourlyBillingEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void anHoursPriceIsSplitOverItsExecutionsByRunTimeOnceItCloses() throws Exception {
    ManualClock clock = new ManualClock(T0);
    Path script = Files.writeString(src.resolve("wait.py"), String.join("\n",
        "import os, time",
        "while not os.path.exists(os.environ['GO']):",
        "    time.sleep(0.01)",
        ""));
    // 3.60 EUR an hour: 1,000 micros a second. A lease far longer than the clock moves, so the
    // claims never lapse while the test moves time.
    try (LocalRGrid rgrid = RGrid.builder().home(home).clock(clock).hourlyPrice(3_600_000)
        .billedPerStartedHour(true).lease(Duration.ofDays(30))
        .pollInterval(Duration.ofMillis(20)).build()) {
      ExecutionRecord a = runFor(rgrid, clock, script, "a", Duration.ofMinutes(10));
      ExecutionRecord b = runFor(rgrid, clock, script, "b", Duration.ofMinutes(20));
      // Until the hour closes, each costs its run time.
      assertThat(a.costMicros()).isEqualTo(600_000);
      assertThat(b.costMicros()).isEqualTo(1_200_000);

      clock.set(T0.plus(Duration.ofMinutes(61)));
      await(() -> cost(rgrid, a) == 1_200_000 && cost(rgrid, b) == 2_400_000);
      // The whole hour is paid for by the two runs in it, in proportion 1:2.
      assertThat(rgrid.costs(T0, T0.plus(Duration.ofHours(2)), "total").totalMicros())
          .isEqualTo(3_600_000);
    }
  }

  private static long cost(RGrid rgrid, ExecutionRecord r) {
    return rgrid.execution(r.id()).record().costMicros();
  }

  private ExecutionRecord runFor(RGrid rgrid, ManualClock clock, Path script, String name,
      Duration time) throws Exception {
    Path go = src.resolve("go-" + name);
    Execution e = rgrid.run(RunSpec.builder(script).env("GO", go.toString()).cache(false)
        .build());
    await(() -> e.status() == ExecutionStatus.RUNNING);
    clock.advance(time);
    Files.writeString(go, "");
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    return done;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + DEADLINE);
      }
      Thread.sleep(10);
    }
  }
}
