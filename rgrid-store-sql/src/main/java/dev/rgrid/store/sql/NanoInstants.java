package dev.rgrid.store.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Objects;

/**
 * Instants as 64-bit integer nanoseconds since the epoch: a timestamp column keeps microseconds
 * at best, and a store must hand back exactly the instant it was given. The storable range is
 * 1677 to 2262.
 */
public final class NanoInstants {
  private static final long NANOS = 1_000_000_000L;

  private NanoInstants() {}

  /**
   * The column value of {@code at}.
   *
   * @throws IllegalArgumentException when {@code at} is outside the storable range
   */
  public static long toColumn(Instant at) {
    Objects.requireNonNull(at, "at");
    try {
      return Math.addExact(Math.multiplyExact(at.getEpochSecond(), NANOS), at.getNano());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("instant out of the storable range 1677..2262: " + at,
          e);
    }
  }

  /** The column value of {@code at}, or {@code null} for none. */
  public static Long toNullableColumn(Instant at) {
    return at == null ? null : toColumn(at);
  }

  /**
   * {@code at} as a bound to compare columns with: an instant beyond the storable range becomes
   * the extreme column value on its side, which orders the same against every stored one.
   */
  public static long toBound(Instant at) {
    try {
      return toColumn(at);
    } catch (IllegalArgumentException e) {
      return at.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** The instant of a column value. */
  public static Instant fromColumn(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS), Math.floorMod(nanos, NANOS));
  }

  /** The instant in {@code column} of the current row, or {@code null} for SQL NULL. */
  public static Instant read(ResultSet rs, String column) throws SQLException {
    long nanos = rs.getLong(column);
    return rs.wasNull() ? null : fromColumn(nanos);
  }

  /** The instant in column {@code index} of the current row, or {@code null} for SQL NULL. */
  public static Instant read(ResultSet rs, int index) throws SQLException {
    long nanos = rs.getLong(index);
    return rs.wasNull() ? null : fromColumn(nanos);
  }

  /** Binds {@code at}, or SQL NULL for none, to parameter {@code index}. */
  public static void bind(PreparedStatement ps, int index, Instant at) throws SQLException {
    if (at == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, toColumn(at));
    }
  }
}
