package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.ArtifactStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The artifact store contract on a real PostgreSQL. */
class PgArtifactStoreTest extends ArtifactStoreContract {
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
