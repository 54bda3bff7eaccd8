package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.CacheEntryStore;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.store.sql.CacheEntryColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result cache's part of {@link SqliteMetadataStore}: rows of the {@code cache_entries} table.
 * Kept apart because it shares nothing with the execution rows but the database.
 */
final class SqliteCacheEntries implements CacheEntryStore {
  /**
   * Keys per DELETE statement. Far below SQLite's bound on parameters (999 before 3.32), so a
   * statement never fails on a large removal, while 1,000s of keys still take only a few round
   * trips.
   */
  static final int DELETE_CHUNK = 500;

  private static final String COLUMNS = CacheEntryColumns.COLUMNS;

  private final SqliteView view;

  /** Works on the database of {@code view}, honouring that view's closing. */
  SqliteCacheEntries(SqliteView view) {
    this.view = view;
  }

  @Override
  public void putCacheEntry(CacheEntry entry) {
    Objects.requireNonNull(entry, "entry");
    view.db().write("recording cache entry " + entry.key(), c -> {
      // REPLACE rather than an update of some columns: the new entry is the whole truth, its
      // hits and times included (a re-recorded result starts over).
      try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO cache_entries ("
          + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, entry.key());
        ps.setString(2, entry.executionId().value());
        ps.setString(3, entry.runtime());
        ps.setString(4, entry.scriptName());
        ps.setLong(5, entry.sizeBytes());
        ps.setLong(6, NanoInstants.toColumn(entry.createdAt()));
        ps.setLong(7, NanoInstants.toColumn(entry.lastUsedAt()));
        ps.setLong(8, entry.hits());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<CacheEntry> useCacheEntry(String key, Instant now) {
    StoreChecks.requireCacheKey(key);
    Objects.requireNonNull(now, "now");
    long at = NanoInstants.toColumn(now);
    // Mark and read under one write lock: two runs reusing the entry at once both count, and each
    // gets back the entry as its own use left it.
    return view.db().write("using cache entry " + key, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE cache_entries SET last_used_at = ?, hits = hits + 1 WHERE cache_key = ?")) {
        ps.setLong(1, at);
        ps.setString(2, key);
        if (ps.executeUpdate() == 0) {
          return Optional.empty();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM cache_entries WHERE cache_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next(); // the row exists: it was just updated in this transaction
          return Optional.of(decode(rs));
        }
      }
    });
  }

  @Override
  public List<CacheEntry> cacheEntries(int limit) {
    StoreChecks.requireCacheListing(limit);
    return view.db().read("listing cache entries", c -> {
      // The key breaks ties so entries used in the same nanosecond still list in a stable order.
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM cache_entries"
          + " ORDER BY last_used_at DESC, cache_key LIMIT ?")) {
        ps.setInt(1, limit);
        List<CacheEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(decode(rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public int removeCacheEntries(Collection<String> keys) {
    List<String> all = StoreChecks.requireCacheKeys(keys);
    if (all.isEmpty()) {
      return 0;
    }
    // One transaction for every chunk: a removal is all or nothing, and other readers never see a
    // half-removed set.
    return view.db().write("removing " + all.size() + " cache entries", c -> {
      int removed = 0;
      for (int from = 0; from < all.size(); from += DELETE_CHUNK) {
        removed += delete(c, all.subList(from, Math.min(from + DELETE_CHUNK, all.size())));
      }
      return removed;
    });
  }

  private static int delete(Connection c, List<String> keys) throws SQLException {
    // Only placeholders are spliced into the SQL; the keys travel as parameters.
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM cache_entries WHERE cache_key IN ("
        + String.join(", ", Collections.nCopies(keys.size(), "?")) + ")")) {
      for (int i = 0; i < keys.size(); i++) {
        ps.setString(i + 1, keys.get(i));
      }
      return ps.executeUpdate();
    }
  }

  private CacheEntry decode(ResultSet rs) throws SQLException {
    try {
      return CacheEntryColumns.read(rs);
    } catch (IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or a damaged file): say which entry, never guess.
      throw view.db().errors().unreadable("cache entry " + rs.getString("cache_key"), e);
    }
  }
}
