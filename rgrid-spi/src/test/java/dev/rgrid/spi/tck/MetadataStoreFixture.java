package dev.rgrid.spi.tck;

import dev.rgrid.spi.store.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the metadata store's contracts share: a fresh, empty store for each test, closed after it.
 * The store is a whole {@link MetadataStore} even where a contract checks one concern, because
 * log lines, artifacts, spending and batches refer to stored executions.
 */
public abstract class MetadataStoreFixture {
  protected MetadataStore store;

  /** A new, empty store. */
  protected abstract MetadataStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }
}
