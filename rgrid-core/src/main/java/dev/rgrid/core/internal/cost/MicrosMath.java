package dev.rgrid.core.internal.cost;

import java.math.BigInteger;

/**
 * Exact {@code a * b / c} for non-negative longs. The product of a run time in nanoseconds and a
 * price in micros easily passes 2^63 (a week at €1,000,000/h is about 6 * 10^26), so the common
 * small case stays in {@code long} and the rest goes through {@link BigInteger}; nothing is ever
 * approximated.
 */
final class MicrosMath {
  private MicrosMath() {}

  /** {@code floor(a * b / c)}; throws {@link ArithmeticException} if it does not fit a long. */
  static long mulDivFloor(long a, long b, long c) {
    long low = a * b;
    if (Math.multiplyHigh(a, b) == 0 && low >= 0) {
      return low / c;
    }
    return big(a, b).divide(BigInteger.valueOf(c)).longValueExact();
  }

  /** {@code (a * b) mod c}, always below {@code c}. */
  static long mulMod(long a, long b, long c) {
    long low = a * b;
    if (Math.multiplyHigh(a, b) == 0 && low >= 0) {
      return low % c;
    }
    return big(a, b).mod(BigInteger.valueOf(c)).longValueExact();
  }

  /** {@code ceil(a * b / c)}; throws {@link ArithmeticException} if it does not fit a long. */
  static long mulDivCeil(long a, long b, long c) {
    long floor = mulDivFloor(a, b, c);
    return mulMod(a, b, c) == 0 ? floor : Math.addExact(floor, 1);
  }

  private static BigInteger big(long a, long b) {
    return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
  }
}
