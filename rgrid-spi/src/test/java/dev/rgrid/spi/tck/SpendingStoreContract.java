package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.SpendingStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SpendingStore} passes: costs are added up by finish time and scope,
 * limits and alerts are kept per scope, and bad scopes are refused. Extend it and return a fresh,
 * empty store (see {@link MetadataStoreFixture}).
 */
public abstract class SpendingStoreContract extends MetadataStoreFixture {
  private static final String ALICE = AccountId.generate(T0, new Random(101)).value();
  private static final String BOB = AccountId.generate(T0, new Random(102)).value();

  @Test
  void addsUpTheCostsOfExecutionsThatFinishedInARange() {
    long[] costs = {5, 7, 11};
    for (int i = 0; i < costs.length; i++) {
      Instant at = T0.plusSeconds(i * 3600L);
      ExecutionRecord r = Fixtures.queued(at, Map.of(), null);
      store.create(r);
      long cost = costs[i];
      store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(cost)
          .transition(ExecutionStatus.FAILED, at.plusSeconds(60)).build());
    }
    store.create(Fixtures.queued(T0, Map.of(), null)); // never finished: costs nothing yet
    assertThat(store.spentMicros(T0, T0.plusSeconds(3 * 3600))).isEqualTo(23);
    assertThat(store.spentMicros(T0.plusSeconds(3600), T0.plusSeconds(2 * 3600 + 60)))
        .as("until is exclusive").isEqualTo(7);
    assertThat(store.spentMicros(T0.plusSeconds(99_999), T0.plusSeconds(199_999))).isZero();
  }

  @Test
  void keepsAndRemovesTheSpendingLimit() {
    assertThat(store.spendingLimit()).isEmpty();
    store.setSpendingLimit(new LimitSetting(50_000_000, List.of(50, 80, 100)));
    assertThat(store.spendingLimit()).contains(
        new LimitSetting(50_000_000, List.of(50, 80, 100)));
    store.setSpendingLimit(new LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit()).map(l -> l.limitMicros()).contains(0L);
    store.setSpendingLimit(null);
    assertThat(store.spendingLimit()).isEmpty();
    assertThatThrownBy(() -> new LimitSetting(-1, List.of(50)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LimitSetting(1, List.of(80, 50)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void raisesEachAlertOncePerMonthAndThreshold() {
    assertThat(store.raiseLimitAlert("2026-11", 50, T0)).isTrue();
    assertThat(store.raiseLimitAlert("2026-11", 50, T0.plusSeconds(1))).isFalse();
    assertThat(store.raiseLimitAlert("2026-11", 80, T0)).isTrue();
    assertThat(store.raiseLimitAlert("2026-12", 50, T0)).isTrue();
    for (String bad : new String[] {"2026-13", "26-11", "2026-11-01", "", "x'; DROP TABLE"}) {
      assertThatThrownBy(() -> store.raiseLimitAlert(bad, 50, T0)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> store.raiseLimitAlert("2026-11", 0, T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.raiseLimitAlert("2026-11", 101, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Stores an execution with {@code labels} that finished at {@code at}, costing {@code cost}. */
  private void finished(Map<String, String> labels, Instant at, long cost) {
    ExecutionRecord r = Fixtures.queued(at.minusSeconds(60), labels, null);
    store.create(r);
    store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(cost)
        .transition(ExecutionStatus.SUCCEEDED, at).build());
  }

  @Test
  void addsUpOnlyTheCostsOfAnAccountsOwnExecutionsInItsScope() {
    finished(Map.of(AccountId.LABEL, ALICE), T0, 5);
    finished(Map.of(AccountId.LABEL, ALICE, "team", "x"), T0.plusSeconds(10), 7);
    finished(Map.of(AccountId.LABEL, BOB), T0.plusSeconds(20), 100);
    finished(Map.of(), T0.plusSeconds(30), 1_000);
    // Alice's id as the value of another label does not make the execution hers.
    finished(Map.of("owner", ALICE), T0.plusSeconds(40), 10_000);
    finished(Map.of(AccountId.LABEL, ALICE), T0.plusSeconds(7200), 50_000); // after the range
    Instant until = T0.plusSeconds(3600);
    assertThat(store.spentMicros(ALICE, T0, until)).isEqualTo(12);
    assertThat(store.spentMicros(BOB, T0, until)).isEqualTo(100);
    String carol = AccountId.generate(T0, new Random(103)).value();
    assertThat(store.spentMicros(carol, T0, until)).isZero();
    assertThat(store.spentMicros(LimitSetting.GLOBAL, T0, until))
        .as("the global scope counts every execution").isEqualTo(11_112);
    assertThat(store.spentMicros(T0, until)).isEqualTo(11_112);
    assertThat(store.spentMicros(ALICE, T0, T0.plusSeconds(7201))).isEqualTo(50_012);
  }

  @Test
  void keepsTheLimitOfEachScopeApart() {
    LimitSetting global = new LimitSetting(100_000_000, List.of(50, 80, 100));
    LimitSetting alices = new LimitSetting(5_000_000, List.of(90));
    store.setSpendingLimit(global);
    store.setSpendingLimit(ALICE, alices);
    assertThat(store.spendingLimit()).contains(global);
    assertThat(store.spendingLimit(LimitSetting.GLOBAL)).contains(global);
    assertThat(store.spendingLimit(ALICE)).contains(alices);
    assertThat(store.spendingLimit(BOB)).isEmpty();

    store.setSpendingLimit(ALICE, new LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit(ALICE)).contains(new LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit()).as("the global limit is untouched").contains(global);
    store.setSpendingLimit(LimitSetting.GLOBAL, null);
    assertThat(store.spendingLimit()).isEmpty();
    assertThat(store.spendingLimit(ALICE)).as("removing one scope's limit keeps the others")
        .contains(new LimitSetting(0, List.of(100)));
    store.setSpendingLimit(ALICE, null);
    assertThat(store.spendingLimit(ALICE)).isEmpty();
    store.setSpendingLimit(BOB, null); // removing what is not there is no error
  }

  @Test
  void raisesEachAlertOncePerScopeMonthAndThreshold() {
    assertThat(store.raiseLimitAlert(ALICE, "2026-11", 50, T0)).isTrue();
    assertThat(store.raiseLimitAlert(ALICE, "2026-11", 50, T0.plusSeconds(1))).isFalse();
    assertThat(store.raiseLimitAlert(BOB, "2026-11", 50, T0)).as("bob's own alert").isTrue();
    assertThat(store.raiseLimitAlert("2026-11", 50, T0)).as("the global alert").isTrue();
    assertThat(store.raiseLimitAlert(LimitSetting.GLOBAL, "2026-11", 50, T0))
        .as("the global scope is the one the scope-less method uses").isFalse();
    assertThat(store.raiseLimitAlert(ALICE, "2026-12", 50, T0)).isTrue();
    assertThatThrownBy(() -> store.raiseLimitAlert(ALICE, "2026-13", 50, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesAScopeThatIsNeitherGlobalNorAnAccount() {
    List<String> bad = new ArrayList<>(List.of("x'; DROP TABLE executions; --", "acct_",
        " " + ALICE, ALICE + " ", ALICE.toLowerCase(Locale.ROOT), "*", "%"));
    bad.add(null);
    LimitSetting limit = new LimitSetting(1, List.of(100));
    for (String scope : bad) {
      assertThatThrownBy(() -> store.spentMicros(scope, T0, T0.plusSeconds(1))).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.spendingLimit(scope)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.setSpendingLimit(scope, limit)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.raiseLimitAlert(scope, "2026-11", 50, T0)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(store.spendingLimit()).isEmpty();
  }
}
