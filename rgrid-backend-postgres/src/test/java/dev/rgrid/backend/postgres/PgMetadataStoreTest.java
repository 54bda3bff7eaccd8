package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.MetadataStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The metadata store contract on a real PostgreSQL. */
class PgMetadataStoreTest extends MetadataStoreContract {
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
