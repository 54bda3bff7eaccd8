package dev.rgrid.core.internal.store;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.tck.AccountStoreContract;
import dev.rgrid.spi.tck.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store passes the account store contract. */
class SqliteAccountStoreTest extends AccountStoreContract {
  @TempDir
  Path dir;
  private final List<SqliteDatabase> opened = new ArrayList<>();

  @Override
  protected AccountStore newStore() {
    return open().accounts();
  }

  private SqliteDatabase open() {
    SqliteDatabase db = SqliteDatabase.open(dir.resolve("home/rgrid.db"));
    opened.add(db);
    return db;
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(SqliteDatabase::close);
  }

  /**
   * One database instance serialises its threads on its connection, so the contract's race does
   * not reach SQLite's locking; separate instances (as separate processes would) do.
   */
  @Test
  void givesRequestsRacingThroughSeparateConnectionsTheSameExecution() throws Exception {
    Account a = account("a", T0);
    store.createAccount(a);
    int instances = 4;
    List<AccountStore> stores = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      stores.add(open().accounts());
    }
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ExecutionId>> results = new ArrayList<>();
      for (AccountStore s : stores) {
        ExecutionId candidate = Fixtures.id(T0);
        results.add(pool.submit(() -> {
          start.await();
          return s.rememberIdempotent(a.id(), "raced", candidate, T0, OPEN);
        }));
      }
      start.countDown();
      Set<ExecutionId> answers = new HashSet<>();
      for (Future<ExecutionId> f : results) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(answers).hasSize(1);
      assertThat(store.findIdempotent(a.id(), "raced", OPEN)).contains(answers.iterator().next());
    } finally {
      pool.shutdownNow();
    }
  }
}
