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
 * in an {@code @AfterEach} of its own.
 */
public abstract class AccountStoreContract {
  /**
   * An instant with microseconds, as the JDK clock on Linux gives them: a store that kept only
   * milliseconds would hand back a record unequal to the one it was given.
   */
  protected static final Instant T_MICROS = T0.plusNanos(123_456_000);

  /**
   * The start of an idempotency window that every key of the tests that are not about expiry
   * is within.
   */
  protected static final Instant OPEN = T0.minus(Duration.ofDays(1));

  private static final Random RANDOM = new Random(4242);

  protected AccountStore store;

  /** A new, empty store. */
  protected abstract AccountStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @Test
  void storesAnAccountAndFindsItByIdAndByName() {
    Account a = account("team-data", T0);
    store.createAccount(a);
    assertThat(store.findAccount(a.id())).contains(a);
    assertThat(store.findAccountByName("team-data")).contains(a);
    assertThat(store.findAccount(accountId(T0))).isEmpty();
    assertThat(store.findAccountByName("team-dat")).isEmpty();
    assertThat(store.findAccountByName("team-data2")).isEmpty();
  }

  @Test
  void refusesAnAccountWhoseIdOrNameIsTaken() {
    Account a = account("team-data", T0);
    store.createAccount(a);
    Account sameId = new Account(a.id(), "other", T0.plusSeconds(1));
    Account sameName = account("team-data", T0.plusSeconds(2));
    assertThatThrownBy(() -> store.createAccount(sameId)).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> store.createAccount(sameName)).isInstanceOf(ConflictException.class);
    assertThat(store.accounts()).containsExactly(a);
    assertThat(store.findAccountByName("other")).isEmpty();
  }

  @Test
  void listsAccountsOldestFirst() {
    assertThat(store.accounts()).isEmpty();
    Account a = account("a", T0);
    Account b = account("b", T0.plusSeconds(1));
    Account c = account("c", T0.plusSeconds(2));
    // Stored out of order, so that the listing cannot simply follow the insertion order.
    for (Account x : List.of(c, a, b)) {
      store.createAccount(x);
    }
    assertThat(store.accounts()).containsExactly(a, b, c);
  }

  @Test
  void keepsInstantsExactly() {
    Account a = account("exact", T_MICROS);
    store.createAccount(a);
    ApiKeyRecord k = apiKey(1, a.id(), T_MICROS.plusNanos(1_000));
    store.createKey(k);
    Instant revoked = T_MICROS.plusSeconds(86_400 * 400L).plusNanos(7_000);
    assertThat(store.revokeKey(k.id(), revoked)).isTrue();
    assertThat(store.findAccount(a.id())).contains(a);
    assertThat(store.findAccount(a.id()).orElseThrow().createdAt()).isEqualTo(T_MICROS);
    assertThat(store.findKey(k.id())).contains(revoked(k, revoked));
    assertThat(store.keys(a.id())).containsExactly(revoked(k, revoked));
  }

  @Test
  void storesKeysAndFindsThemByIdAndByAccount() {
    Account a = account("a", T0);
    Account b = account("b", T0);
    store.createAccount(a);
    store.createAccount(b);
    ApiKeyRecord first = apiKey(1, a.id(), T0.plusSeconds(1));
    ApiKeyRecord second = new ApiKeyRecord(keyId(2), a.id(), "", key(12).sha256(),
        T0.plusSeconds(2), null);
    ApiKeyRecord third = apiKey(3, a.id(), T0.plusSeconds(3));
    ApiKeyRecord ofB = apiKey(4, b.id(), T0);
    for (ApiKeyRecord k : List.of(third, first, ofB, second)) {
      store.createKey(k);
    }
    assertThat(store.findKey(first.id())).contains(first);
    assertThat(store.findKey(second.id())).contains(second);
    assertThat(store.findKey(keyId(99))).isEmpty();
    assertThat(store.keys(a.id())).containsExactly(first, second, third);
    assertThat(store.keys(b.id())).containsExactly(ofB);
    assertThat(store.keys(accountId(T0))).isEmpty();
  }

  @Test
  void revokesAKeyOnceAndStillListsIt() {
    Account a = account("a", T0);
    store.createAccount(a);
    ApiKeyRecord old = apiKey(1, a.id(), T0);
    ApiKeyRecord current = apiKey(2, a.id(), T0.plusSeconds(1));
    store.createKey(old);
    store.createKey(current);
    Instant at = T0.plusSeconds(60);
    assertThat(store.revokeKey(old.id(), at)).isTrue();
    assertThat(store.revokeKey(old.id(), at.plusSeconds(1))).as("already revoked").isFalse();
    assertThat(store.revokeKey(keyId(99), at)).as("no such key").isFalse();
    ApiKeyRecord found = store.findKey(old.id()).orElseThrow();
    assertThat(found).isEqualTo(revoked(old, at));
    assertThat(found.active()).isFalse();
    assertThat(store.findKey(current.id())).contains(current);
    assertThat(store.keys(a.id())).containsExactly(revoked(old, at), current);
  }

  @Test
  void refusesAKeyForAMissingAccount() {
    ApiKeyRecord orphan = apiKey(1, accountId(T0), T0);
    assertThatThrownBy(() -> store.createKey(orphan)).isInstanceOf(NotFoundException.class);
    assertThat(store.findKey(orphan.id())).isEmpty();
  }

  @Test
  void refusesAKeyWhoseIdIsTaken() {
    Account a = account("a", T0);
    Account b = account("b", T0);
    store.createAccount(a);
    store.createAccount(b);
    ApiKeyRecord k = apiKey(1, a.id(), T0);
    store.createKey(k);
    ApiKeyRecord again = new ApiKeyRecord(k.id(), b.id(), "other", key(50).sha256(),
        T0.plusSeconds(1), null);
    assertThatThrownBy(() -> store.createKey(again)).isInstanceOf(ConflictException.class);
    assertThat(store.findKey(k.id())).contains(k);
    assertThat(store.keys(b.id())).isEmpty();
  }

  @Test
  void grantsBlobsPerAccountAndIdempotently() {
    Account a = account("a", T0);
    Account b = account("b", T0);
    store.createAccount(a);
    store.createAccount(b);
    assertThat(store.hasBlob(a.id(), key(1))).isFalse();
    store.grantBlob(a.id(), key(1));
    store.grantBlob(a.id(), key(1));
    assertThat(store.hasBlob(a.id(), key(1))).isTrue();
    assertThat(store.hasBlob(b.id(), key(1))).as("granted to a only").isFalse();
    assertThat(store.hasBlob(a.id(), key(2))).isFalse();
    store.grantBlob(b.id(), key(1));
    assertThat(store.hasBlob(b.id(), key(1))).isTrue();
  }

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

  @Test
  void treatsNamesAndKeyIdsAsDataNotAsQuerySyntax() {
    Account a = account("a", T0);
    store.createAccount(a);
    ApiKeyRecord k = new ApiKeyRecord(keyId(1), a.id(), "x'); DROP TABLE api_keys;-- ü 🚀 %_",
        key(11).sha256(), T0, null);
    store.createKey(k);
    assertThatThrownBy(() -> Account.checkName("x'); DROP TABLE--"))
        .isInstanceOf(IllegalArgumentException.class);
    // Lookups take whatever a user typed: malformed names and ids are simply not found.
    for (String bad : List.of("x'); DROP TABLE accounts;--", "' OR '1'='1", "%", "_", "")) {
      assertThat(store.findAccountByName(bad)).as(bad).isEmpty();
      assertThat(store.findKey(bad)).as(bad).isEmpty();
      assertThat(store.revokeKey(bad, T0)).as(bad).isFalse();
    }
    assertThat(store.findKey(k.id())).contains(k);
    assertThat(store.accounts()).containsExactly(a);
  }

  /** A new account id created at {@code at}. */
  protected static synchronized AccountId accountId(Instant at) {
    return AccountId.generate(at, RANDOM);
  }

  /** A new account named {@code name}, created at {@code at}. */
  protected static Account account(String name, Instant at) {
    return new Account(accountId(at), name, at);
  }

  /** The key id made from a small number. */
  protected static String keyId(int n) {
    return String.format("%012x", n);
  }

  /** An active key of {@code account} made from a small number. */
  protected static ApiKeyRecord apiKey(int n, AccountId account, Instant at) {
    return new ApiKeyRecord(keyId(n), account, "key " + n, key(1000 + n).sha256(), at, null);
  }

  private static ApiKeyRecord revoked(ApiKeyRecord k, Instant at) {
    return new ApiKeyRecord(k.id(), k.account(), k.name(), k.secretSha256(), k.createdAt(), at);
  }
}
