package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.CacheEntryStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The cache entry store contract on a real PostgreSQL. */
class PgCacheEntryStoreTest extends CacheEntryStoreContract {
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
