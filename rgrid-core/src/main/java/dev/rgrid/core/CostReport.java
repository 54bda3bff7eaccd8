package dev.rgrid.core;

import dev.rgrid.core.internal.cost.CostException;
import dev.rgrid.core.internal.cost.Money;
import java.time.Instant;
import java.util.List;

/**
 * What executions cost over a time range, in micros (1 EUR = 1,000,000), grouped.
 *
 * @param since the start of the range (inclusive), by finish time
 * @param until the end of the range (exclusive)
 * @param by how {@link #lines} are grouped: {@code day}, {@code runtime}, {@code batch}, {@code
 *     label} or {@code total}
 * @param lines one per group; with {@code label}, an execution counts under each of its labels
 * @param executions how many executions finished in the range
 * @param totalMicros what they cost together
 */
public record CostReport(Instant since, Instant until, String by, List<Line> lines,
    long executions, long totalMicros) {
  /** The groups a report can be split by. */
  public static final List<String> GROUPINGS = List.of("day", "runtime", "batch", "label",
      "total");

  /** {@code micros} as money: {@code €50.50}, {@code €0.000417}. */
  public static String format(long micros) {
    return Money.format(micros);
  }

  /**
   * An amount as users write it ({@code 50}, {@code 50.50}, {@code €50}, {@code 50 EUR}; at most
   * six decimals) in micros.
   *
   * @throws InvalidRunSpecException for anything else (negative, other currencies, garbage)
   */
  public static long parseAmount(String text) {
    try {
      return Money.parse(text);
    } catch (CostException e) {
      throw new InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
    }
  }

  /** Copies the lines. */
  public CostReport {
    lines = List.copyOf(lines);
  }

  /**
   * Whether executions finished in the range yet none cost anything: where they ran, no hourly
   * price is set (a run on a priced worker costs at least a micro), or all were cache hits. A
   * report of €0.00 should say which, rather than look like a free month.
   */
  public boolean unpriced() {
    return executions > 0 && totalMicros == 0;
  }

  /**
   * One group.
   *
   * @param key the day ({@code 2026-11-26}), runtime, batch id, {@code key=value} label, or
   *     {@code (none)}
   * @param executions how many executions it holds
   * @param micros what they cost
   */
  public record Line(String key, long executions, long micros) {}
}
