package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.BatchStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The batch store contract on a real PostgreSQL. */
class PgBatchStoreTest extends BatchStoreContract {
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
