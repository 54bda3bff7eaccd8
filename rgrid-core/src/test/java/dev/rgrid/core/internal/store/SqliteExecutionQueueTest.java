package dev.rgrid.core.internal.store;

import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.tck.ExecutionQueueContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded queue passes the execution queue contract. */
class SqliteExecutionQueueTest extends ExecutionQueueContract {
  @TempDir
  Path dir;

  @Override
  protected ExecutionQueue newQueue() {
    // Closing the database right away is fine: the queue holds its own reference.
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"))) {
      return db.queue();
    }
  }
}
