package dev.rgrid.store.sql;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.CacheEntry;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The columns of the {@code cache_entries} table and the {@link CacheEntry} of a row. */
public final class CacheEntryColumns {
  /** Every column {@link #read} needs, comma-separated for a SELECT list. */
  public static final String COLUMNS = "cache_key, execution_id, runtime, script_name,"
      + " size_bytes, created_at, last_used_at, hits";

  private CacheEntryColumns() {}

  /**
   * The entry in the current row, which has the {@link #COLUMNS} (by name).
   *
   * @throws IllegalArgumentException when a value is not one the entry accepts
   */
  public static CacheEntry read(ResultSet rs) throws SQLException {
    return new CacheEntry(rs.getString("cache_key"),
        new ExecutionId(rs.getString("execution_id")), rs.getString("runtime"),
        rs.getString("script_name"), rs.getLong("size_bytes"),
        NanoInstants.fromColumn(rs.getLong("created_at")),
        NanoInstants.fromColumn(rs.getLong("last_used_at")), rs.getLong("hits"));
  }
}
