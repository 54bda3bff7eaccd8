package dev.rgrid.cli;

import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.CostReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@code rgrid run --batch} shows a {@link BatchProgress}: a bar rewritten in place on a
 * terminal, a plain line for logs and pipes, and a map for {@code --json}.
 */
final class BatchProgressView {
  // Same codes as Terminal: bar() is static so it can be tested without a Terminal, and the caller
  // passes Terminal's own colour decision in.
  private static final String RED = "\u001b[31m";
  private static final String GREEN = "\u001b[32m";
  private static final String RESET = "\u001b[0m";

  private static final int MIN_CELLS = 10;
  // Wider bars add no information and push the counts off narrow split panes.
  private static final int MAX_CELLS = 30;
  // Below this even a minimal bar plus the counts would not fit, so only the counts are shown.
  private static final int MIN_BAR_WIDTH = 20;
  private static final String GAP = "  ";

  private BatchProgressView() {}

  /** One piece of the bar line; the lowest {@code rank} is dropped first when space is short. */
  private record Part(String text, String ansi, int rank) {}

  /**
   * The progress as one terminal line, without {@code \r} or newline: the bar, ended/total, the
   * counts, the cost and the ETA. Never wider than {@code width} visible characters; the bar
   * shrinks first, then the least important parts go.
   *
   * @param width the terminal's columns
   * @param color whether to colour the failed (red, when any) and ok (green) counts
   */
  static String bar(BatchProgress p, int width, boolean color) {
    String fraction = p.ended() + "/" + p.total();
    if (width < MIN_BAR_WIDTH) {
      return compact(p, fraction, width);
    }
    List<Part> parts = new ArrayList<>();
    parts.add(new Part(p.succeeded() + " ok", GREEN, 6));
    parts.add(new Part(p.failed() + " failed", p.failed() > 0 ? RED : null, 7));
    if (p.cancelled() > 0) {
      parts.add(new Part(p.cancelled() + " cancelled", null, 4));
    }
    parts.add(new Part(p.running() + " running", null, 3));
    parts.add(new Part(p.queued() + " queued", null, 2));
    if (p.cached() > 0) {
      parts.add(new Part(p.cached() + " cached", null, 0));
    }
    parts.add(new Part(CostReport.format(p.costMicros()), null, 1));
    p.eta().ifPresent(eta -> parts.add(new Part("ETA " + duration(eta), null, 5)));

    // Drop ranks 0, 1, 2... in turn until the shortest acceptable bar fits beside what is left.
    for (int drop = 0; drop <= 8; drop++) {
      int textWidth = fraction.length();
      for (Part part : parts) {
        if (part.rank() >= drop) {
          textWidth += GAP.length() + part.text().length();
        }
      }
      int cells = Math.min(MAX_CELLS, width - textWidth - 3); // brackets and one space
      if (cells >= MIN_CELLS) {
        StringBuilder sb = new StringBuilder();
        sb.append(cells(p, cells)).append(' ').append(fraction);
        for (Part part : parts) {
          if (part.rank() >= drop) {
            sb.append(GAP).append(color && part.ansi() != null
                ? part.ansi() + part.text() + RESET : part.text());
          }
        }
        return sb.toString();
      }
    }
    // Huge totals in a narrow terminal: the counts matter more than the bar.
    return compact(p, fraction, width);
  }

  private static String cells(BatchProgress p, int cells) {
    // An empty batch has nothing left to do, so it shows full rather than dividing by zero.
    long filled = p.total() == 0 ? cells
        : Math.min(cells, (long) p.ended() * cells / p.total());
    return "[" + "#".repeat((int) filled) + ".".repeat(cells - (int) filled) + "]";
  }

  /** The counts, else a percentage, else nothing: a cut-off number would be misleading. */
  private static String compact(BatchProgress p, String fraction, int width) {
    if (fraction.length() <= width) {
      return fraction;
    }
    long percent = p.total() == 0 ? 100 : Math.min(100, (long) p.ended() * 100 / p.total());
    String pct = percent + "%";
    return pct.length() <= width ? pct : "";
  }

  /**
   * The progress as a plain line for logs and non-terminal output. The wording is stable (scripts
   * grep it); every count is always present, only the ETA is left out when unknown.
   */
  static String line(String batchId, BatchProgress p) {
    StringBuilder sb = new StringBuilder(160)
        .append("batch ").append(batchId).append(": ")
        .append(p.ended()).append('/').append(p.total()).append(" ended (")
        .append(p.succeeded()).append(" succeeded, ")
        .append(p.failed()).append(" failed, ")
        .append(p.cancelled()).append(" cancelled, ")
        .append(p.cached()).append(" cached), ")
        .append(p.running()).append(" running, ")
        .append(p.queued()).append(" queued, cost ")
        .append(CostReport.format(p.costMicros()));
    p.eta().ifPresent(eta -> sb.append(", ETA ").append(duration(eta)));
    return sb.toString();
  }

  /**
   * The progress as an insertion-ordered map for JSON output: {@code batch, total, queued,
   * running, succeeded, failed, cancelled, cached, ended, costMicros, elapsedMillis, etaMillis,
   * done}; {@code etaMillis} is {@code null} when unknown.
   */
  static Map<String, Object> json(String batchId, BatchProgress p) {
    // LinkedHashMap rather than Map.of: the key order is the output order, and etaMillis may be
    // null.
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("batch", batchId);
    m.put("total", p.total());
    m.put("queued", p.queued());
    m.put("running", p.running());
    m.put("succeeded", p.succeeded());
    m.put("failed", p.failed());
    m.put("cancelled", p.cancelled());
    m.put("cached", p.cached());
    m.put("ended", p.ended());
    m.put("costMicros", p.costMicros());
    m.put("elapsedMillis", p.elapsed().toMillis());
    m.put("etaMillis", p.eta().map(Duration::toMillis).orElse(null));
    m.put("done", p.done());
    return Collections.unmodifiableMap(m);
  }

  /**
   * A short human duration, truncated to its two largest units: {@code 850ms}, {@code 42s},
   * {@code 1m05s}, {@code 2h03m}, {@code 3d04h}. Negative durations show as {@code 0ms}.
   */
  static String duration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + twoDigits(s % 60) + "s";
    }
    if (s < 86_400) {
      return s / 3600 + "h" + twoDigits(s % 3600 / 60) + "m";
    }
    return s / 86_400 + "d" + twoDigits(s % 86_400 / 3600) + "h";
  }

  private static String twoDigits(long n) {
    return n < 10 ? "0" + n : Long.toString(n);
  }

  /**
   * Decides when a plain progress line is worth printing, so logs of long batches stay readable:
   * the first progress, the first finished one, and otherwise a progress whose ended or running
   * count moved, at most once per interval. Not thread-safe; one per batch being watched.
   */
  static final class Throttle {
    private final Clock clock;
    private final Duration every;
    private Instant last;
    private int lastEnded;
    private int lastRunning;
    private boolean reportedDone;

    /**
     * @param clock the time source, a manual one in tests
     * @param every the shortest interval between two lines, unless the batch just finished
     */
    Throttle(Clock clock, Duration every) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.every = Objects.requireNonNull(every, "every");
      if (every.isNegative()) {
        throw new IllegalArgumentException("throttle interval is negative: " + every);
      }
    }

    /** Whether to print this progress; a {@code true} answer counts as printed. */
    boolean due(BatchProgress p) {
      Instant now = clock.instant();
      boolean due = last == null
          || (p.done() && !reportedDone)
          || (!now.isBefore(last.plus(every))
              && (p.ended() != lastEnded || p.running() != lastRunning));
      if (due) {
        last = now;
        lastEnded = p.ended();
        lastRunning = p.running();
        reportedDone |= p.done();
      }
      return due;
    }
  }
}
