package dev.rgrid.core.internal.spec;

import java.math.BigDecimal;
import java.time.Duration;

/** Values as error messages show them, exact for any {@code long} (no overflow, no rounding). */
final class Sizes {
  private Sizes() {}

  /** Thousandths of a CPU as CPUs: {@code 1500} → {@code 1.5}. */
  static String cpus(long milliCpus) {
    return BigDecimal.valueOf(milliCpus, 3).stripTrailingZeros().toPlainString();
  }

  /** {@code 1 GiB}, {@code 6 MiB}, {@code 5000 bytes}: the largest binary unit that is exact. */
  static String bytes(long n) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      int shift = 40 - 10 * i;
      if (n != 0 && n % (1L << shift) == 0) {
        return (n >> shift) + " " + units[i];
      }
    }
    return n + " bytes";
  }

  /** {@code 7d}, {@code 2h}, {@code 90m}, {@code 45s}, {@code 1500ms}: the largest exact unit. */
  static String duration(Duration d) {
    if (d.getNano() != 0) {
      return d.toString();
    }
    long s = d.getSeconds();
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s != 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
