package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.SecretStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The secret store contract on a real PostgreSQL. */
class PgSecretStoreTest extends SecretStoreContract {
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
