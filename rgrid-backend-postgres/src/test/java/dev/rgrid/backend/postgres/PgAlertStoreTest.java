package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.AlertStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The alert store contract on a real PostgreSQL. */
class PgAlertStoreTest extends AlertStoreContract {
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
