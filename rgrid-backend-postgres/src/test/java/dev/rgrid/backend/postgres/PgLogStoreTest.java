package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.LogStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The log store contract on a real PostgreSQL. */
class PgLogStoreTest extends LogStoreContract {
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
