package dev.rgrid.cli;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.ExecutionId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parsing of the CLI's value formats; every failure is a usage error that names the value. */
final class Parsing {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([kmgt]?)(i?b?)?");

  private Parsing() {}

  /** {@code 90}, {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 250ms}, {@code 2d}. */
  static Duration duration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.matches("\\d{1,9}")) {
      s = s + "s";
    }
    Matcher m = DURATION.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
      end = m.end();
    }
    if (s.isEmpty() || end != s.length() || total.isZero()) {
      throw new CommandLine.TypeConversionException("'" + text
          + "' is not a positive duration (examples: 90s, 5m, 1h30m)");
    }
    return total;
  }

  /** {@code 512m}, {@code 2g}, {@code 1048576}, {@code 1GiB}: bytes, binary units. */
  static long size(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException("'" + text
          + "' is not a size (examples: 512m, 2g)");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    long n = Long.parseLong(m.group(1));
    if (n == 0 || n > (Long.MAX_VALUE >> shift)) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a usable size");
    }
    return n << shift;
  }

  /**
   * {@code 1.5} CPUs → 1500 milli-CPUs, rounded up. Only the form is checked here; the range (at
   * least 0.01, at most what the runtime has) is the library's to check, as for every run.
   */
  static long milliCpus(String text) {
    try {
      java.math.BigDecimal cpus = new java.math.BigDecimal(text.trim());
      if (cpus.signum() <= 0) {
        throw new NumberFormatException();
      }
      return cpus.movePointRight(3).setScale(0, java.math.RoundingMode.UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CommandLine.TypeConversionException("'" + text
          + "' is not a CPU count (examples: 1, 0.5, 2.5)");
    }
  }

  /** {@code K=V} pairs, split on the first {@code =}. */
  static Map<String, String> pairs(List<String> items, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : items) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.TypeConversionException("'" + item + "' is not " + what
            + " of the form KEY=VALUE");
      }
      out.put(item.substring(0, eq), item.substring(eq + 1));
    }
    return out;
  }

  /**
   * An execution id, or a usage error (one naming the batch, for a batch's id given where only an
   * execution's is taken: {@code rgrid logs}).
   */
  static ExecutionId executionId(String text) {
    if (dev.rgrid.spi.BatchId.isBatchId(text)) {
      throw new CommandLine.TypeConversionException("'" + text.trim() + "' is a batch, and this "
          + "takes one execution: `rgrid list --batch " + text.trim() + "` lists the batch's");
    }
    try {
      return ExecutionId.of(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** A batch's {@code --parallel}: a whole number from 1 to 10000. */
  static int parallel(String text) {
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRunSpecException("--parallel must be a whole number, was '"
          + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'",
          "pass how many inputs may run at once, e.g. --parallel 4");
    }
    return BatchSpec.checkParallel(value);
  }

  /** An account's retention in days: a whole number (the library checks its range). */
  static int positiveDays(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRunSpecException("DAYS must be a whole number or `default`, was '"
          + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'",
          "pass e.g. 7 to keep the account's ended executions a week");
    }
  }
}
