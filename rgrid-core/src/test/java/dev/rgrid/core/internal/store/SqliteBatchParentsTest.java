package dev.rgrid.core.internal.store;

import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.tck.BatchParentsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store and queue keep runs that wait for a batch together. */
class SqliteBatchParentsTest extends BatchParentsContract {
  @TempDir
  Path dir;

  @Override
  protected SharedState newState() {
    SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"));
    MetadataStore store = db.metadataStore();
    ExecutionQueue queue = db.queue();
    return new SharedState() {
      @Override
      public MetadataStore metadataStore() {
        return store;
      }

      @Override
      public ExecutionQueue queue() {
        return queue;
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }
}
