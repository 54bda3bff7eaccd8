package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.Resources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spending limits per account: executions a server submits for an account (labelled with it)
 * count towards that account's own limit and alerts, and towards the global limit; local ones
 * only towards the global limit.
 */
class AccountSpendingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long ONE_MICRO_PER_MS = 3_600_000L; // €3.60 an hour
  // Wide enough for any run of these tests, whatever the date; costs are by finish time.
  private static final Instant SINCE = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant UNTIL = Instant.parse("2200-01-01T00:00:00Z");

  @TempDir Path home;
  @TempDir Path src;

  private final List<SpendingAlert> alerts = new CopyOnWriteArrayList<>();

  private LocalRGrid open() {
    return RGrid.builder().home(home).engine("process").hourlyPrice(ONE_MICRO_PER_MS)
        .onSpendingAlert(alerts::add).build();
  }

  /** Submits {@code script} as a server does for {@code account}, with extra labels. */
  private static Execution submit(LocalRGrid rgrid, AccountId account, String script,
      Map<String, String> labels) {
    BlobKey key = rgrid.blobStore().put(new ByteArrayInputStream(
        script.getBytes(StandardCharsets.UTF_8))).key();
    return rgrid.account(account).submit(new ExecutionSpec("job.py", key, "python3.11",
        List.of(), Map.of(), List.of(), Duration.ofMinutes(1), labels, null, new Resources(0, 0),
        false));
  }

  private static ExecutionRecord await(Execution e) throws InterruptedException {
    return e.await(DEADLINE).orElseThrow(() -> new AssertionError(e + " never ended"));
  }

  @Test
  void anAccountAtItsLimitIsRefusedWhileAnotherAndLocalRunsGoOn() throws Exception {
    try (LocalRGrid rgrid = open()) {
      AccountId alice = rgrid.accounts().create("alice").id();
      AccountId bob = rgrid.accounts().create("bob").id();
      rgrid.account(alice).setSpendingLimit(1L, List.of(100));
      rgrid.account(bob).setSpendingLimit(1_000_000_000L, List.of(50));

      // Allowed: nothing was spent yet. It fails, and a failed run costs too.
      ExecutionRecord first = await(submit(rgrid, alice,
          "import time, sys\ntime.sleep(0.05)\nsys.exit(3)\n", Map.of()));
      assertThat(first.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(first.costMicros()).isGreaterThanOrEqualTo(50);

      assertThatThrownBy(() -> submit(rgrid, alice, "print('again')\n", Map.of()))
          .isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining("limit of account " + alice)
          .hasMessageContaining("is reached");
      assertThatThrownBy(() -> rgrid.retry(first.id()))
          .as("a retry runs for the same account").isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining(alice.value());

      ExecutionRecord bobs = await(submit(rgrid, bob, "print('bob')\n", Map.of()));
      assertThat(bobs.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      Path local = Files.writeString(src.resolve("local.py"), "print('local')\n");
      ExecutionRecord mine = await(rgrid.run(RunSpec.builder(local).build()));
      assertThat(mine.status()).as("an account's limit is not the machine's")
          .isEqualTo(ExecutionStatus.SUCCEEDED);

      SpendingStatus alices = rgrid.account(alice).spending();
      assertThat(alices.spentMicros()).isEqualTo(first.costMicros());
      assertThat(alices.limit()).map(l -> l.limitMicros()).contains(1L);
      assertThat(alices.remainingMicros()).contains(0L);
      assertThat(rgrid.account(bob).spending().spentMicros()).isEqualTo(bobs.costMicros());
      assertThat(rgrid.spending().spentMicros())
          .isEqualTo(first.costMicros() + bobs.costMicros() + mine.costMicros());
      assertThat(rgrid.spending().limit()).as("no global limit was set").isEmpty();

      rgrid.account(alice).setSpendingLimit(null, null);
      assertThat(await(submit(rgrid, alice, "print('free')\n", Map.of())).status())
          .isEqualTo(ExecutionStatus.SUCCEEDED);
    }
  }

  @Test
  void theGlobalLimitStopsEveryAccountWithoutTellingItWhatOthersSpent() throws Exception {
    try (LocalRGrid rgrid = open()) {
      AccountId alice = rgrid.accounts().create("alice").id();
      AccountId bob = rgrid.accounts().create("bob").id();
      rgrid.setSpendingLimit(1L, List.of(100));
      ExecutionRecord bobs = await(submit(rgrid, bob, "import time\ntime.sleep(0.01)\n",
          Map.of()));
      assertThat(bobs.costMicros()).isPositive();

      assertThatThrownBy(() -> submit(rgrid, alice, "print('alice')\n", Map.of()))
          .isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining("global monthly spending limit is reached")
          .hasMessageNotContaining("€")
          .satisfies(e -> assertThat(((SpendingLimitException) e).hint())
              .hasValueSatisfying(h -> assertThat(h).contains("administrator")));
      Path local = Files.writeString(src.resolve("local.py"), "print('local')\n");
      assertThatThrownBy(() -> rgrid.run(RunSpec.builder(local).build()))
          .isInstanceOf(SpendingLimitException.class)
          .hasMessageContaining("global monthly spending limit of €0.000001 is reached");
      assertThat(rgrid.account(alice).spending().spentMicros()).isZero();
      assertThat(rgrid.account(alice).spending().limit()).isEmpty();
    }
  }

  @Test
  void eachAccountsAlertsAreRaisedOnceApartFromTheGlobalOnes() throws Exception {
    try (LocalRGrid rgrid = open()) {
      AccountId alice = rgrid.accounts().create("alice").id();
      AccountId bob = rgrid.accounts().create("bob").id();
      rgrid.account(alice).setSpendingLimit(2L, List.of(50, 100));
      rgrid.account(bob).setSpendingLimit(1L, List.of(100));
      rgrid.setSpendingLimit(1_000_000_000L, List.of(50)); // far from reached

      await(submit(rgrid, alice, "import time\ntime.sleep(0.01)\n", Map.of()));
      assertThat(alerts).extracting(SpendingAlert::account, SpendingAlert::thresholdPercent)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(Optional.of(alice), 50),
              org.assertj.core.groups.Tuple.tuple(Optional.of(alice), 100));
      assertThat(alerts.get(0).limitMicros()).isEqualTo(2);
      assertThat(alerts.get(1).message()).contains("account " + alice)
          .contains("100% of its monthly limit");

      await(submit(rgrid, bob, "import time\ntime.sleep(0.01)\n", Map.of()));
      assertThat(alerts).hasSize(3);
      assertThat(alerts.get(2).account()).contains(bob);
      assertThat(alerts.get(2).spentMicros()).as("bob's own spending, not alice's too")
          .isEqualTo(rgrid.account(bob).spending().spentMicros());

      // Alice's limit raised just above what she spent: the next run crosses 50% and 100% of
      // it again, which were raised this month already.
      rgrid.account(alice).setSpendingLimit(rgrid.account(alice).spending().spentMicros() + 1,
          List.of(50, 100));
      await(submit(rgrid, alice, "print('more')\n", Map.of()));
      assertThat(alerts).as("each alert once per account, threshold and month").hasSize(3);
    }
  }

  @Test
  void costReportsOfAnAccountCountOnlyItsExecutions() throws Exception {
    try (LocalRGrid rgrid = open()) {
      AccountId alice = rgrid.accounts().create("alice").id();
      AccountId bob = rgrid.accounts().create("bob").id();
      ExecutionRecord a1 = await(submit(rgrid, alice, "print('a1')\n", Map.of("team", "x")));
      ExecutionRecord a2 = await(submit(rgrid, alice, "print('a2')\n", Map.of()));
      ExecutionRecord b1 = await(submit(rgrid, bob, "print('b1')\n", Map.of("team", "x")));
      Path local = Files.writeString(src.resolve("local.py"), "print('local')\n");
      ExecutionRecord l1 = await(rgrid.run(RunSpec.builder(local).build()));

      CostReport alices = rgrid.account(alice).costs(SINCE, UNTIL, "label");
      assertThat(alices.executions()).isEqualTo(2);
      assertThat(alices.totalMicros()).isEqualTo(a1.costMicros() + a2.costMicros());
      assertThat(alices.lines()).extracting(CostReport.Line::key)
          .as("her own account label is not a group").containsExactlyInAnyOrder("team=x",
              "(none)");
      CostReport bobs = rgrid.account(bob).costs(SINCE, UNTIL, "total");
      assertThat(bobs.executions()).isEqualTo(1);
      assertThat(bobs.totalMicros()).isEqualTo(b1.costMicros());
      CostReport all = rgrid.costs(SINCE, UNTIL, "total");
      assertThat(all.executions()).isEqualTo(4);
      assertThat(all.totalMicros()).isEqualTo(a1.costMicros() + a2.costMicros()
          + b1.costMicros() + l1.costMicros());
      assertThat(rgrid.account(bob).costs((String) null, null, "total").executions())
          .as("this month so far").isEqualTo(1);
      assertThatThrownBy(() -> rgrid.account(alice).costs("yesterday", null, "total"))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("--since");
      assertThatThrownBy(() -> rgrid.account(alice).costs(SINCE, UNTIL, "colour"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void estimatesForAnAccountRestOnItsOwnPastRunsOnly() throws Exception {
    try (LocalRGrid rgrid = open()) {
      AccountId alice = rgrid.accounts().create("alice").id();
      AccountId bob = rgrid.accounts().create("bob").id();
      String script = "import time\ntime.sleep(0.02)\n";
      await(submit(rgrid, alice, script, Map.of()));
      String sha = rgrid.blobStore().put(new ByteArrayInputStream(
          script.getBytes(StandardCharsets.UTF_8))).key().sha256();

      Estimate hers = rgrid.account(alice).estimate(sha, "job.py", null, 10);
      assertThat(hers.samples()).isEqualTo(1);
      assertThat(hers.inputs()).isEqualTo(10);
      assertThat(hers.basis()).isEqualTo("1 past run of job.py");
      assertThat(hers.medianRunTime()).hasValueSatisfying(d ->
          assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(20)));
      assertThat(hers.costMicros()).hasValueSatisfying(c -> assertThat(c).isPositive());
      Estimate his = rgrid.account(bob).estimate(sha, "job.py", "python3.11", 1);
      assertThat(his.samples()).as("alice's runs are not bob's history").isZero();
      assertThat(his.costMicros()).isEmpty();

      assertThatThrownBy(() -> rgrid.account(alice).estimate("../x", "job.py", null, 1))
          .isInstanceOf(InvalidRunSpecException.class);
      assertThatThrownBy(() -> rgrid.account(alice).estimate(sha, "job.py", null, 0))
          .isInstanceOf(InvalidRunSpecException.class);
      assertThatThrownBy(() -> rgrid.account(alice).estimate(sha, "job.py", "cobol", 1))
          .isInstanceOf(InvalidRunSpecException.class);
    }
  }
}
