package dev.rgrid.core.internal.store;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the store and the queue share: the {@link SqliteDatabase} they run on. Closing a view
 * retires only that view (later calls on it throw {@link IllegalStateException}); the connection
 * belongs to the database and closes with it.
 */
abstract class SqliteView implements AutoCloseable {
  private final SqliteDatabase db;
  private final AtomicBoolean closed = new AtomicBoolean();

  SqliteView(SqliteDatabase db) {
    this.db = db;
  }

  /** The database, checking this view is still open. */
  final SqliteDatabase db() {
    if (closed.get()) {
      throw new IllegalStateException(getClass().getSimpleName() + " on " + db.file()
          + " is closed");
    }
    return db;
  }

  @Override
  public final void close() {
    closed.set(true);
  }
}
