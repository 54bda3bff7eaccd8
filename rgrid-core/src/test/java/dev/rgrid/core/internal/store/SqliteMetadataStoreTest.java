package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.MetadataStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store passes the metadata store contract. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
  @TempDir
  Path dir;

  @Override
  protected MetadataStore newStore() {
    // Closing the database right away is fine: the store holds its own reference.
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("home/rgrid.db"))) {
      return db.metadataStore();
    }
  }
}
