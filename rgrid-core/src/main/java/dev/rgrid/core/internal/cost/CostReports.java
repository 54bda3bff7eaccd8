package dev.rgrid.core.internal.cost;

import dev.rgrid.core.CostReport;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds up what executions finished in a range cost. Executions are read newest first, a page at
 * a time (memory stays bounded); reading stops at those created long enough before the range
 * that they cannot have finished in it.
 */
public final class CostReports {
  // The longest a run may take (the maximum timeout) plus a margin for queueing.
  private static final Duration LOOKBACK = Duration.ofDays(8);
  private static final int PAGE = 1000;

  private final MetadataStore store;

  /** Reports over the executions in {@code store}. */
  public CostReports(MetadataStore store) {
    this.store = store;
  }

  /**
   * The costs of executions finished in [{@code since}, {@code until}), grouped {@code by} one of
   * {@link CostReport#GROUPINGS}.
   */
  public CostReport report(Instant since, Instant until, String by) {
    return report(since, until, by, null);
  }

  /**
   * As {@link #report(Instant, Instant, String, AccountId)}, the range written as the {@code
   * rgrid cost} command takes it ({@link DateRange#parse}, relative to {@code clock}).
   *
   * @throws dev.rgrid.core.InvalidRunSpecException for a malformed value or dates out of order
   */
  public CostReport report(String since, String until, String by, java.time.Clock clock,
      AccountId account) {
    DateRange range;
    try {
      range = DateRange.parse(since, until, clock);
    } catch (CostException e) {
      throw new dev.rgrid.core.InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
    }
    return report(range.since(), range.until(), by, account);
  }

  /**
   * As {@link #report(Instant, Instant, String)}, counting only the executions of {@code
   * account} ({@code null}: every execution). Its own label is left out of the {@code label}
   * grouping: every one of its executions carries it, so it would only repeat the total.
   */
  public CostReport report(Instant since, Instant until, String by, AccountId account) {
    if (!CostReport.GROUPINGS.contains(by)) {
      throw new IllegalArgumentException("cannot group costs by '" + by + "': use one of "
          + String.join(", ", CostReport.GROUPINGS));
    }
    if (!since.isBefore(until)) {
      throw new IllegalArgumentException("the range is empty: since " + since + " is not "
          + "before until " + until);
    }
    Map<String, String> labels = account == null ? Map.of()
        : Map.of(AccountId.LABEL, account.value());
    Map<String, long[]> groups = new TreeMap<>();
    long executions = 0;
    long total = 0;
    Instant oldest = since.minus(LOOKBACK);
    ExecutionId cursor = null;
    boolean more = true;
    while (more) {
      ExecutionPage page = store.list(new ExecutionQuery(java.util.Set.of(), labels,
          null, cursor, PAGE));
      for (ExecutionRecord r : page.items()) {
        if (r.createdAt().isBefore(oldest)) {
          more = false;
          break;
        }
        Instant finished = r.finishedAt();
        if (finished == null || finished.isBefore(since) || !finished.isBefore(until)) {
          continue;
        }
        executions++;
        total = Math.addExact(total, r.costMicros());
        for (String key : keys(r, by, account != null)) {
          long[] g = groups.computeIfAbsent(key, k -> new long[2]);
          g[0]++;
          g[1] = Math.addExact(g[1], r.costMicros());
        }
      }
      cursor = page.next();
      more = more && cursor != null;
    }
    List<CostReport.Line> lines = new ArrayList<>();
    groups.forEach((k, g) -> lines.add(new CostReport.Line(k, g[0], g[1])));
    if (!by.equals("day")) {
      lines.sort(Comparator.comparingLong(CostReport.Line::micros).reversed()
          .thenComparing(CostReport.Line::key));
    }
    return new CostReport(since, until, by, lines, executions, total);
  }

  private static List<String> keys(ExecutionRecord r, String by, boolean ownAccount) {
    return switch (by) {
      case "day" -> List.of(r.finishedAt().atZone(ZoneOffset.UTC).toLocalDate().toString());
      case "runtime" -> List.of(r.spec().runtime());
      case "batch" -> List.of(r.spec().batchId() == null ? "(none)" : r.spec().batchId());
      case "label" -> {
        List<String> keys = r.spec().labels().entrySet().stream()
            .filter(e -> !(ownAccount && e.getKey().equals(AccountId.LABEL)))
            .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        yield keys.isEmpty() ? List.of("(none)") : keys;
      }
      default -> List.of("total");
    };
  }
}
