package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.CacheEntryStore;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.store.sql.CacheEntryColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The result cache's part of {@link PgMetadataStore}: rows of the {@code cache_entries} table.
 * Kept apart because it shares nothing with the execution rows but the database.
 */
final class PgCacheEntries implements CacheEntryStore {
  private static final String COLUMNS = CacheEntryColumns.COLUMNS;

  private final Jdbi jdbi;
  private final PgErrors errors;

  PgCacheEntries(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public void putCacheEntry(CacheEntry entry) {
    Objects.requireNonNull(entry, "entry");
    // Every column is overwritten, not only some: the new entry is the whole truth, its hits and
    // times included (a re-recorded result starts over).
    errors.run("recording cache entry " + entry.key(), () -> jdbi.useHandle(h ->
        h.createUpdate("INSERT INTO cache_entries (" + COLUMNS + ") VALUES (:key, :execution_id,"
                + " :runtime, :script_name, :size_bytes, :created_at, :last_used_at, :hits)"
                + " ON CONFLICT (cache_key) DO UPDATE SET execution_id = EXCLUDED.execution_id,"
                + " runtime = EXCLUDED.runtime, script_name = EXCLUDED.script_name,"
                + " size_bytes = EXCLUDED.size_bytes, created_at = EXCLUDED.created_at,"
                + " last_used_at = EXCLUDED.last_used_at, hits = EXCLUDED.hits")
            .bind("key", entry.key())
            .bind("execution_id", entry.executionId().value())
            .bind("runtime", entry.runtime())
            .bind("script_name", entry.scriptName())
            .bind("size_bytes", entry.sizeBytes())
            .bind("created_at", NanoInstants.toColumn(entry.createdAt()))
            .bind("last_used_at", NanoInstants.toColumn(entry.lastUsedAt()))
            .bind("hits", entry.hits())
            .execute()));
  }

  @Override
  public Optional<CacheEntry> useCacheEntry(String key, Instant now) {
    StoreChecks.requireCacheKey(key);
    Objects.requireNonNull(now, "now");
    // Marking and reading in one statement: two runs reusing the entry at once both count, and
    // each gets back the entry as its own use left it.
    return errors.call("using cache entry " + key, () -> jdbi.withHandle(h ->
        h.createQuery("UPDATE cache_entries SET last_used_at = :at, hits = hits + 1"
                + " WHERE cache_key = :key RETURNING " + COLUMNS)
            .bind("at", NanoInstants.toColumn(now))
            .bind("key", key)
            .map((rs, ctx) -> decode(rs))
            .findOne()));
  }

  @Override
  public List<CacheEntry> cacheEntries(int limit) {
    StoreChecks.requireCacheListing(limit);
    // The key breaks ties so entries used in the same nanosecond still list in a stable order.
    return errors.call("listing cache entries", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM cache_entries"
                + " ORDER BY last_used_at DESC, cache_key LIMIT :limit")
            .bind("limit", limit)
            .map((rs, ctx) -> decode(rs))
            .list()));
  }

  @Override
  public int removeCacheEntries(Collection<String> keys) {
    List<String> all = StoreChecks.requireCacheKeys(keys);
    if (all.isEmpty()) {
      return 0;
    }
    // The keys go as one array parameter: one statement, all or nothing, however many there are,
    // and no statement text that grows with them.
    return errors.call("removing " + all.size() + " cache entries", () -> jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM cache_entries WHERE cache_key = ANY(:keys)")
            .bindArray("keys", String.class, all.toArray())
            .execute()));
  }

  private CacheEntry decode(ResultSet rs) throws SQLException {
    try {
      return CacheEntryColumns.read(rs);
    } catch (IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or one changed by hand): say which, never guess.
      throw errors.unreadable("cache entry " + rs.getString("cache_key"), e);
    }
  }
}
