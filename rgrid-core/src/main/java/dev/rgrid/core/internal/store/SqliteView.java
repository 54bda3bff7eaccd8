package dev.rgrid.core.internal.store;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the store and the queue share: one reference to the {@link SqliteDatabase}, dropped once
 * by {@link #close()}, after which the view refuses to work.
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
    if (closed.compareAndSet(false, true)) {
      db.release();
    }
  }
}
