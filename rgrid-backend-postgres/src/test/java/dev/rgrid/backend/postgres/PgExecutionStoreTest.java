package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.ExecutionStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The execution store contract on a real PostgreSQL. */
class PgExecutionStoreTest extends ExecutionStoreContract {
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
