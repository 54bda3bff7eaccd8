package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.RetentionStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The retention store contract on a real PostgreSQL. */
class PgRetentionStoreTest extends RetentionStoreContract {
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
