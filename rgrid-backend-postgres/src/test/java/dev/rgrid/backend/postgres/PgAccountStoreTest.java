package dev.rgrid.backend.postgres;

import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.tck.AccountStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The account store contract on a real PostgreSQL. */
class PgAccountStoreTest extends AccountStoreContract {
  private PostgresBackend backend;

  @Override
  protected AccountStore newStore() {
    backend = PgTests.freshBackend();
    return backend.accounts();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }
}
