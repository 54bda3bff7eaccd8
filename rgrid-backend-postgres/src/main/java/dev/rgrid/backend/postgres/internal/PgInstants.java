package dev.rgrid.backend.postgres.internal;

import java.time.Instant;

/**
 * Instants as BIGINT nanoseconds since the epoch: a timestamp column keeps microseconds only, and
 * a store must hand back exactly the instant it was given.
 */
final class PgInstants {
  private PgInstants() {}

  /** The column value of {@code at}, or {@code null} for none. */
  static Long toColumn(Instant at) {
    if (at == null) {
      return null;
    }
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

  /** The instant of a column value, or {@code null} for SQL NULL. */
  static Instant fromColumn(Long nanos) {
    return nanos == null ? null : Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
        Math.floorMod(nanos, 1_000_000_000L));
  }
}
