package dev.rgrid.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pruning of expired idempotency keys, on the embedded store and a fixed clock. */
class IdempotencyPrunerTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final Duration DAY = Duration.ofHours(24);

  @TempDir Path home;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final Random random = new Random(3);
  private LocalRGrid rgrid;
  private AccountStore store;
  private AccountId account;
  private Vertx vertx;

  @BeforeEach
  void open() {
    rgrid = RGrid.builder().home(home).engine("process").workers(0).clock(clock).build();
    store = rgrid.accounts().store();
    account = rgrid.accounts().create("alice").id();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
    rgrid.close();
  }

  @Test
  void forgetsTheKeysOlderThanTheWindowByItsClock() throws Exception {
    remember("expired", NOW.minus(DAY).minusNanos(1_000));
    remember("at-the-start", NOW.minus(DAY));
    remember("recent", NOW.minusSeconds(60));
    IdempotencyPruner pruner = new IdempotencyPruner(vertx, store, clock, DAY);

    assertThat(await(pruner.start())).isEqualTo(1);
    assertThat(store.findIdempotent(account, "expired", Instant.MIN)).isEmpty();
    assertThat(store.findIdempotent(account, "at-the-start", Instant.MIN)).isPresent();
    assertThat(store.findIdempotent(account, "recent", Instant.MIN)).isPresent();
    assertThat(await(pruner.prune())).as("nothing left to forget").isZero();
  }

  @Test
  void aFailedPruningFailsOnlyItselfAndTheNextOneRuns() throws Exception {
    remember("expired", NOW.minus(DAY).minusSeconds(1));
    IdempotencyPruner pruner = new IdempotencyPruner(vertx, failingOnce(store), clock, DAY);

    assertThatThrownBy(() -> await(pruner.prune())).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BackendUnavailableException.class);
    assertThat(store.findIdempotent(account, "expired", Instant.MIN)).isPresent();
    assertThat(await(pruner.prune())).isEqualTo(1);
  }

  private void remember(String key, Instant at) {
    store.rememberIdempotent(account, key, ExecutionId.generate(at, random), at, Instant.MIN);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** {@code real}, except that its first pruning fails as an unreachable database would. */
  private static AccountStore failingOnce(AccountStore real) {
    AtomicBoolean failed = new AtomicBoolean();
    return (AccountStore) Proxy.newProxyInstance(AccountStore.class.getClassLoader(),
        new Class<?>[] {AccountStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("pruneIdempotency") && failed.compareAndSet(false, true)) {
            throw new BackendUnavailableException("test", "the store is down", "wait", null);
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
