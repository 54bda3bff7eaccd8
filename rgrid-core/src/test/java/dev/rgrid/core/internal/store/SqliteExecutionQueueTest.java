package dev.rgrid.core.internal.store;

import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.tck.ExecutionQueueContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The embedded queue passes the execution queue contract. */
class SqliteExecutionQueueTest extends ExecutionQueueContract {
  @TempDir
  Path dir;
  private SqliteDatabase db;

  @Override
  protected ExecutionQueue newQueue() {
    db = SqliteDatabase.open(dir.resolve("rgrid.db"));
    return db.queue();
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }
}
