package dev.rgrid.core.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** Instants as INTEGER nanoseconds since the epoch (see {@link Schema}). */
final class Instants {
  private Instants() {}

  static long toColumn(Instant at) {
    try {
      return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("instant out of the storable range 1677..2262: " + at,
          e);
    }
  }

  /**
   * {@code at} as a bound to compare columns with: an instant beyond the storable range becomes
   * the extreme column value on its side, which orders the same against every stored one.
   */
  static long toBound(Instant at) {
    try {
      return toColumn(at);
    } catch (IllegalArgumentException e) {
      return at.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static Instant fromColumn(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
        Math.floorMod(nanos, 1_000_000_000L));
  }

  static void bind(PreparedStatement ps, int index, Instant at) throws SQLException {
    if (at == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setLong(index, toColumn(at));
    }
  }

  static Instant read(ResultSet rs, int index) throws SQLException {
    long nanos = rs.getLong(index);
    return rs.wasNull() ? null : fromColumn(nanos);
  }
}
