package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.AlertStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store passes the alert store contract. */
class SqliteAlertStoreTest extends AlertStoreContract {
  @TempDir
  Path dir;
  private SqliteDatabase db;

  @Override
  protected MetadataStore newStore() {
    db = SqliteDatabase.open(dir.resolve("home/rgrid.db"));
    return db.metadataStore();
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }
}
