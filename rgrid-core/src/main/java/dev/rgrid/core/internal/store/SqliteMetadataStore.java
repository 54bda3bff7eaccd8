package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.store.sql.ComposedMetadataStore;

/**
 * The {@link MetadataStore} on an embedded {@link SqliteDatabase}: one class per concern ({@link
 * SqliteExecutions}, {@link SqliteLogs}, {@link SqliteArtifacts}, {@link SqliteCacheEntries},
 * {@link SqliteLimits}, {@link SqliteBatches}, {@link SqliteSecrets}, {@link SqliteRetention},
 * {@link SqliteAlerts}) joined by {@link ComposedMetadataStore}, all on this view of the database.
 * Changes are announced to followers in this process; SQLite has no cross-process push, so followers elsewhere poll.
 */
final class SqliteMetadataStore extends SqliteView {
  private SqliteMetadataStore(SqliteDatabase db) {
    super(db);
  }

  /** The store on {@code db}; closing it retires its view, not the database. */
  static MetadataStore open(SqliteDatabase db) {
    SqliteMetadataStore view = new SqliteMetadataStore(db);
    ChangeFollowers followers = new ChangeFollowers();
    return new ComposedMetadataStore(new SqliteExecutions(view, followers),
        new SqliteLogs(view, followers), new SqliteArtifacts(view), new SqliteCacheEntries(view),
        new SqliteLimits(view), new SqliteBatches(view), new SqliteSecrets(view),
        new SqliteRetention(view), new SqliteAlerts(view), view);
  }
}
