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
 * The first half of the contract every {@link AccountStore} passes: accounts, keys and blob
 * grants. Stores extend {@link AccountStoreContract}, which adds idempotency keys; the two halves
 * are apart only to keep each class readable.
 */
public abstract class AccountKeysContract {
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
  void keepsWhetherAKeyIsReadOnlyThroughRevocation() {
    Account a = account("viewers", T0);
    store.createAccount(a);
    ApiKeyRecord viewer = new ApiKeyRecord(keyId(7), a.id(), "dashboard", key(7).sha256(),
        T0.plusSeconds(1), null, true);
    ApiKeyRecord writer = apiKey(8, a.id(), T0.plusSeconds(2));
    store.createKey(viewer);
    store.createKey(writer);
    assertThat(store.findKey(viewer.id()).orElseThrow().readOnly()).isTrue();
    assertThat(store.findKey(writer.id()).orElseThrow().readOnly()).isFalse();
    assertThat(store.keys(a.id())).containsExactly(viewer, writer);
    Instant at = T0.plusSeconds(3);
    assertThat(store.revokeKey(viewer.id(), at)).isTrue();
    assertThat(store.findKey(viewer.id())).contains(revoked(viewer, at));
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
    return new ApiKeyRecord(k.id(), k.account(), k.name(), k.secretSha256(), k.createdAt(), at,
        k.readOnly());
  }
}
