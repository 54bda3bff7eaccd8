package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LimitSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Costs, estimates, the spending limit and the runtime catalog of a remote RGrid against a real
 * server whose runs cost one micro per millisecond. Each test connects with accounts of its own,
 * and what one account spends never shows in another's answers.
 */
class RemoteCostsTest {
  private static final long ONE_MICRO_PER_MS = 3_600_000L;
  // Costs are by finish time: a range that holds every run of these tests, whatever the date.
  private static final Instant SINCE = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant UNTIL = Instant.parse("2200-01-01T00:00:00Z");

  @TempDir static Path home;
  @TempDir Path work;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(home, ONE_MICRO_PER_MS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private RGrid connect(String name) {
    return RGrid.connect(server.uri(), server.newAccountKey(name));
  }

  private ExecutionRecord run(RGrid rgrid, String name, String content) throws Exception {
    Path script = Files.writeString(work.resolve(name), content);
    Execution e = rgrid.run(RunSpec.builder(script).baseDirectory(work).build());
    return e.await(Duration.ofMinutes(1)).orElseThrow(() -> new AssertionError(e + " hangs"));
  }

  @Test
  void reportsTheCostsOfTheAccountsOwnExecutions() throws Exception {
    try (RGrid alice = connect("costs-alice"); RGrid bob = connect("costs-bob")) {
      ExecutionRecord a = run(alice, "a.py", "import time\ntime.sleep(0.02)\n");
      ExecutionRecord b = run(bob, "b.py", "print('b')\n");
      assertThat(a.costMicros()).isPositive();

      CostReport hers = alice.costs(SINCE, UNTIL, "runtime");
      assertThat(hers.since()).isEqualTo(SINCE);
      assertThat(hers.until()).isEqualTo(UNTIL);
      assertThat(hers.executions()).isEqualTo(1);
      assertThat(hers.totalMicros()).isEqualTo(a.costMicros());
      assertThat(hers.lines()).containsExactly(new CostReport.Line("python3.11", 1,
          a.costMicros()));
      assertThat(alice.costs("2000-01-01", "2200-01-01", "runtime"))
          .as("the same range written as users write it").isEqualTo(hers);
      assertThat(bob.costs(SINCE, UNTIL, "total").totalMicros()).isEqualTo(b.costMicros());
      CostReport month = bob.costs((String) null, null, "total");
      assertThat(YearMonth.from(month.since().atOffset(ZoneOffset.UTC)).atDay(1)
          .atStartOfDay(ZoneOffset.UTC).toInstant()).isEqualTo(month.since());

      assertThatThrownBy(() -> alice.costs("yesterday", null, "total"))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("--since");
      assertThatThrownBy(() -> alice.costs(UNTIL, SINCE, "total"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> alice.costs(SINCE, UNTIL, "colour"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> alice.costs((String) null, null, "colour"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
    }
  }

  @Test
  void theAccountsOwnLimitRefusesItsRunsOnceReachedAndNoOneElses() throws Exception {
    try (RGrid carol = connect("limit-carol"); RGrid dave = connect("limit-dave")) {
      SpendingStatus none = carol.spending();
      assertThat(none.limit()).isEmpty();
      assertThat(none.spentMicros()).isZero();

      carol.setSpendingLimit(1L, List.of(100));
      assertThat(carol.spending().limit()).contains(new LimitSetting(1, List.of(100)));
      assertThat(dave.spending().limit()).isEmpty();
      ExecutionRecord first = run(carol, "c.py", "import time\ntime.sleep(0.02)\n");
      SpendingStatus reached = carol.spending();
      assertThat(reached.spentMicros()).isEqualTo(first.costMicros());
      assertThat(reached.remainingMicros()).contains(0L);

      assertThatThrownBy(() -> run(carol, "c2.py", "print(2)\n"))
          .isInstanceOf(SpendingLimitException.class).hasMessageContaining("is reached");
      assertThat(run(dave, "d.py", "print('dave')\n").status())
          .isEqualTo(ExecutionStatus.SUCCEEDED);

      carol.setSpendingLimit(5_000_000L, List.of());
      assertThat(carol.spending().limit()).contains(new LimitSetting(5_000_000,
          List.of(50, 80, 100)));
      assertThat(run(carol, "c3.py", "print(3)\n").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      carol.setSpendingLimit(null, null);
      assertThat(carol.spending().limit()).isEmpty();

      // Misuse is refused as the library refuses it, before anything is sent.
      assertThatThrownBy(() -> carol.setSpendingLimit(-1L, List.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> carol.setSpendingLimit(5L, List.of(80, 50)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(carol.spending().limit()).isEmpty();
    }
  }

  @Test
  void theRuntimeCatalogIsTheServers() {
    try (RGrid rgrid = connect("runtimes")) {
      RuntimeCatalog remote = rgrid.runtimes();
      RuntimeCatalog local = server.rgrid.runtimes();
      assertThat(remote.all()).extracting(RuntimeDefinition::name)
          .containsExactlyElementsOf(local.all().stream().map(RuntimeDefinition::name).toList());
      assertThat(remote.all()).extracting(RuntimeDefinition::image)
          .containsExactlyElementsOf(local.all().stream().map(RuntimeDefinition::image)
              .toList());
      assertThat(remote.defaultRuntime().name()).isEqualTo(local.defaultRuntime().name());
      assertThat(remote.aliases()).isEqualTo(local.aliases());
      assertThat(remote.resolve("node").name()).isEqualTo("node20");
      assertThat(remote.forScript("x.sh").scriptSuffix()).isEqualTo(".sh");
      assertThat(rgrid.runtimes()).as("asked once per connection").isSameAs(remote);
    }
  }

  @Test
  void estimatesFromTheAccountsOwnHistoryCountingInputsHere() throws Exception {
    try (RGrid erin = connect("estimate-erin"); RGrid frank = connect("estimate-frank")) {
      run(erin, "job.py", "import time\ntime.sleep(0.02)\n");
      for (int i = 0; i < 3; i++) {
        Files.writeString(work.resolve("in" + i + ".csv"), "x\n");
      }
      Estimate hers = erin.estimate(Path.of("job.py"), null, List.of("*.csv"), work);
      assertThat(hers.inputs()).isEqualTo(3);
      assertThat(hers.samples()).isEqualTo(1);
      assertThat(hers.basis()).isEqualTo("1 past run of job.py");
      assertThat(hers.medianRunTime()).hasValueSatisfying(d ->
          assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(20)));
      assertThat(hers.costMicros()).hasValueSatisfying(c -> assertThat(c).isPositive());
      assertThat(hers.hourlyMicros()).isEqualTo(ONE_MICRO_PER_MS);

      Estimate his = frank.estimate(Path.of("job.py"), "python3.11", List.of(), work);
      assertThat(his.samples()).as("erin's runs are not frank's history").isZero();
      assertThat(his.costMicros()).isEmpty();
      assertThatThrownBy(() -> frank.estimate(Path.of("missing.py"), null, List.of(), work))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("does not exist");
      assertThatThrownBy(() -> frank.estimate(Path.of("job.py"), "cobol85", List.of(), work))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("cobol85");
    }
  }
}
