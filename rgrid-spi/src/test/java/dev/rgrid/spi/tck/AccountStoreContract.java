package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.account.ApiKeyRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AccountStore} passes. Extend it and return a fresh, empty store; an
 * {@link AccountStore} is not closeable, so the subclass closes whatever it opened (the database)
 * in an {@code @AfterEach} of its own. Accounts, keys and blob grants are checked by {@link
 * AccountKeysContract}; idempotency keys here.
 */
public abstract class AccountStoreContract extends AccountKeysContract {
  @Test
  void remembersTheFirstExecutionOfAnIdempotencyKey() {
    Account a = account("a", T0);
    store.createAccount(a);
    ExecutionId first = Fixtures.id(T0);
    ExecutionId second = Fixtures.id(T0.plusSeconds(1));
    assertThat(store.findIdempotent(a.id(), "req-1", OPEN)).isEmpty();
    assertThat(store.rememberIdempotent(a.id(), "req-1", first, T0, OPEN)).isEqualTo(first);
    assertThat(store.rememberIdempotent(a.id(), "req-1", second, T0.plusSeconds(1), OPEN))
        .isEqualTo(first);
    assertThat(store.findIdempotent(a.id(), "req-1", OPEN)).contains(first);
    assertThat(store.findIdempotent(a.id(), "req-2", OPEN)).isEmpty();
    assertThat(store.rememberIdempotent(a.id(), "req-2", second, T0, OPEN)).isEqualTo(second);
  }

  @Test
  void keepsTheIdempotencyKeysOfEachAccountApart() {
    Account a = account("a", T0);
    Account b = account("b", T0);
    store.createAccount(a);
    store.createAccount(b);
    ExecutionId ofA = Fixtures.id(T0);
    ExecutionId ofB = Fixtures.id(T0);
    assertThat(store.rememberIdempotent(a.id(), "same", ofA, T0, OPEN)).isEqualTo(ofA);
    assertThat(store.findIdempotent(b.id(), "same", OPEN)).isEmpty();
    assertThat(store.rememberIdempotent(b.id(), "same", ofB, T0, OPEN)).isEqualTo(ofB);
    assertThat(store.findIdempotent(a.id(), "same", OPEN)).contains(ofA);
    assertThat(store.findIdempotent(b.id(), "same", OPEN)).contains(ofB);
  }

  @Test
  void givesEveryConcurrentRequestWithTheSameIdempotencyKeyTheSameExecution() throws Exception {
    Account a = account("a", T0);
    store.createAccount(a);
    int threads = 8;
    List<ExecutionId> candidates = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      candidates.add(Fixtures.id(T0.plusMillis(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ExecutionId>> results = new ArrayList<>();
      for (ExecutionId candidate : candidates) {
        results.add(pool.submit(() -> {
          start.await();
          return store.rememberIdempotent(a.id(), "raced", candidate, T0, OPEN);
        }));
      }
      start.countDown();
      Set<ExecutionId> answers = new HashSet<>();
      for (Future<ExecutionId> f : results) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(answers).hasSize(1);
      ExecutionId winner = answers.iterator().next();
      assertThat(candidates).contains(winner);
      assertThat(store.findIdempotent(a.id(), "raced", OPEN)).contains(winner);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void findsAnIdempotencyKeyOnlyWithinItsWindow() {
    Account a = account("a", T_MICROS);
    store.createAccount(a);
    ExecutionId e = Fixtures.id(T0);
    store.rememberIdempotent(a.id(), "req", e, T_MICROS, OPEN);
    assertThat(store.findIdempotent(a.id(), "req", T_MICROS)).as("remembered at the start")
        .contains(e);
    assertThat(store.findIdempotent(a.id(), "req", T_MICROS.plusNanos(1_000)))
        .as("remembered a microsecond before the start").isEmpty();
    // Windows reaching past what a store can hold are still bounds, not errors.
    assertThat(store.findIdempotent(a.id(), "req", Instant.MIN)).contains(e);
    assertThat(store.findIdempotent(a.id(), "req", Instant.MAX)).isEmpty();
    assertThat(store.rememberIdempotent(a.id(), "req", Fixtures.id(T0), T_MICROS, Instant.MIN))
        .isEqualTo(e);
  }

  @Test
  void prunesExactlyTheIdempotencyKeysRememberedBeforeTheGivenTime() {
    Account a = account("a", T0);
    Account b = account("b", T0);
    store.createAccount(a);
    store.createAccount(b);
    Instant cut = T0.plus(Duration.ofHours(24));
    store.rememberIdempotent(a.id(), "old", Fixtures.id(T0), T0, OPEN);
    store.rememberIdempotent(b.id(), "old", Fixtures.id(T0), cut.minusNanos(1_000), OPEN);
    ExecutionId atCut = Fixtures.id(cut);
    ExecutionId after = Fixtures.id(cut);
    store.rememberIdempotent(a.id(), "at-cut", atCut, cut, OPEN);
    store.rememberIdempotent(b.id(), "after", after, cut.plusSeconds(1), OPEN);

    assertThat(store.pruneIdempotency(cut)).isEqualTo(2);
    assertThat(store.findIdempotent(a.id(), "old", Instant.MIN)).isEmpty();
    assertThat(store.findIdempotent(b.id(), "old", Instant.MIN)).isEmpty();
    assertThat(store.findIdempotent(a.id(), "at-cut", Instant.MIN)).contains(atCut);
    assertThat(store.findIdempotent(b.id(), "after", Instant.MIN)).contains(after);
    assertThat(store.pruneIdempotency(cut)).as("nothing left to prune").isZero();
    assertThat(store.pruneIdempotency(Instant.MIN)).isZero();
    assertThat(store.pruneIdempotency(Instant.MAX)).isEqualTo(2);
    assertThat(store.findIdempotent(b.id(), "after", Instant.MIN)).isEmpty();
  }

  @Test
  void makesANewMappingForAnIdempotencyKeyRememberedAgainAfterItExpired() {
    Account a = account("a", T0);
    store.createAccount(a);
    Duration day = Duration.ofHours(24);
    ExecutionId first = Fixtures.id(T0);
    ExecutionId second = Fixtures.id(T0.plus(day));
    ExecutionId third = Fixtures.id(T0.plus(day));
    store.rememberIdempotent(a.id(), "req", first, T0, OPEN);
    Instant later = T0.plus(Duration.ofHours(23));
    assertThat(store.rememberIdempotent(a.id(), "req", second, later, later.minus(day)))
        .as("within the window").isEqualTo(first);

    // Expired but not pruned: the new request takes the key over.
    Instant next = T0.plus(Duration.ofHours(25));
    assertThat(store.findIdempotent(a.id(), "req", next.minus(day))).isEmpty();
    assertThat(store.rememberIdempotent(a.id(), "req", second, next, next.minus(day)))
        .isEqualTo(second);
    assertThat(store.findIdempotent(a.id(), "req", next.minus(day))).contains(second);
    assertThat(store.rememberIdempotent(a.id(), "req", third, next, next.minus(day)))
        .as("the new mapping holds in its own window").isEqualTo(second);
    // Its window starts when it was remembered again, not when the key first came.
    assertThat(store.pruneIdempotency(next)).isZero();

    // Expired and pruned: the same.
    assertThat(store.pruneIdempotency(next.plusNanos(1_000))).isEqualTo(1);
    assertThat(store.rememberIdempotent(a.id(), "req", third, next, next.minus(day)))
        .isEqualTo(third);
    assertThat(store.findIdempotent(a.id(), "req", next.minus(day))).contains(third);
  }

  @Test
  void givesEveryConcurrentRequestWithAnExpiredIdempotencyKeyTheSameNewExecution()
      throws Exception {
    Account a = account("a", T0);
    store.createAccount(a);
    ExecutionId expired = Fixtures.id(T0);
    store.rememberIdempotent(a.id(), "raced", expired, T0, OPEN);
    Instant now = T0.plus(Duration.ofDays(2));
    List<ExecutionId> candidates = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      candidates.add(Fixtures.id(now));
    }
    ExecutorService pool = Executors.newFixedThreadPool(candidates.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ExecutionId>> results = new ArrayList<>();
      for (ExecutionId candidate : candidates) {
        results.add(pool.submit(() -> {
          start.await();
          return store.rememberIdempotent(a.id(), "raced", candidate, now,
              now.minus(Duration.ofHours(24)));
        }));
      }
      start.countDown();
      Set<ExecutionId> answers = new HashSet<>();
      for (Future<ExecutionId> f : results) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(answers).hasSize(1);
      assertThat(candidates).contains(answers.iterator().next());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAnIdempotencyKeyLongerThanItKeepsAndStaysUsable() {
    Account a = account("a", T0);
    store.createAccount(a);
    int max = AccountStore.MAX_IDEMPOTENCY_KEY_LENGTH;
    // Random CJK: three UTF-8 bytes a character and nothing to compress, the largest index
    // entry a key of the longest length makes.
    Random random = new Random(7);
    StringBuilder longest = new StringBuilder();
    for (int i = 0; i < max; i++) {
      longest.append((char) (0x4E00 + random.nextInt(0x5000)));
    }
    ExecutionId e = Fixtures.id(T0);
    assertThat(store.rememberIdempotent(a.id(), longest.toString(), e, T0, OPEN)).isEqualTo(e);
    assertThat(store.findIdempotent(a.id(), longest.toString(), OPEN)).contains(e);

    for (String huge : List.of(longest + "x", longest.toString().repeat(20))) {
      assertThatThrownBy(() -> store.rememberIdempotent(a.id(), huge, Fixtures.id(T0), T0, OPEN))
          .as("%d characters", huge.length()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(String.valueOf(max));
      assertThatThrownBy(() -> store.findIdempotent(a.id(), huge, OPEN))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(store.findIdempotent(a.id(), longest.toString(), OPEN)).contains(e);
    assertThat(store.rememberIdempotent(a.id(), "after", e, T0, OPEN)).isEqualTo(e);
    assertThat(store.pruneIdempotency(Instant.MAX)).isEqualTo(2);
  }

  @Test
  void treatsIdempotencyKeysAsDataNotAsQuerySyntax() {
    Account a = account("a", T0);
    store.createAccount(a);
    List<String> keys = List.of("x'); DROP TABLE accounts;--", "' OR '1'='1", "%", "_", "a%",
        "\\", "\"quoted\"", "ünïcødé 🚀 键", " spaced ", "k".repeat(200),
        "ü".repeat(199) + "%");
    List<ExecutionId> executions = new ArrayList<>();
    for (String k : keys) {
      ExecutionId e = Fixtures.id(T0);
      executions.add(e);
      assertThat(store.rememberIdempotent(a.id(), k, e, T0, OPEN)).as(k).isEqualTo(e);
    }
    for (int i = 0; i < keys.size(); i++) {
      assertThat(store.findIdempotent(a.id(), keys.get(i), OPEN)).as(keys.get(i))
          .contains(executions.get(i));
    }
    // Pattern characters match only themselves: "a_" and "k%" were never stored.
    assertThat(store.findIdempotent(a.id(), "a_", OPEN)).isEmpty();
    assertThat(store.findIdempotent(a.id(), "k%", OPEN)).isEmpty();
    assertThat(store.findIdempotent(a.id(), "spaced", OPEN)).isEmpty();
    assertThat(store.accounts()).containsExactly(a);
  }
}
