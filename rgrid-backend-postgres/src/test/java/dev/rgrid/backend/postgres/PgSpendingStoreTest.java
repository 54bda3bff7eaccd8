package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.SpendingStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The spending store contract on a real PostgreSQL. */
class PgSpendingStoreTest extends SpendingStoreContract {
  private PostgresBackend backend;

  @Override
  protected MetadataStore newStore() {
    backend = PgTests.freshBackend();
    return backend.metadataStore();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }
}
