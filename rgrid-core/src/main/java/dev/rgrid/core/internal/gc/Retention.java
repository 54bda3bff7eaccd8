package dev.rgrid.core.internal.gc;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Removes ended executions older than a cutoff, a page at a time: each page is listed, then
 * removed in one short transaction of the store, so memory stays at a page and writers wait for a
 * page at most. Pages follow each other by (finish time, id) after the last one listed, so an
 * execution that could not be removed is not met again.
 */
final class Retention {
  static final int PAGE = 500;

  private final RetentionStore store;

  Retention(RetentionStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** What was (or would be) removed. */
  record Totals(long executions, long logLines, long cacheEntries, long batches) {
    static final Totals NONE = new Totals(0, 0, 0, 0);

    Totals plus(Totals o) {
      return new Totals(executions + o.executions, logLines + o.logLines,
          cacheEntries + o.cacheEntries, batches + o.batches);
    }
  }

  /** Removes the ended executions of {@code scope} that ended before {@code cutoff}. */
  Totals run(Instant cutoff, boolean dryRun, RetentionScope scope) {
    long executions = 0;
    long logLines = 0;
    long cacheEntries = 0;
    // Batches counted in a dry run, which may appear in several pages; in a real run each is
    // removed once, so the set stays empty.
    Set<BatchId> counted = new HashSet<>();
    long batches = 0;
    EndedExecution after = null;
    while (true) {
      List<EndedExecution> page = store.endedBefore(cutoff, after, PAGE, scope);
      if (page.isEmpty()) {
        break;
      }
      Removal r = store.removeEnded(page.stream().map(EndedExecution::id).toList(), cutoff,
          dryRun);
      executions += r.executions();
      logLines += r.logLines();
      cacheEntries += r.cacheEntries();
      for (BatchId b : r.batches()) {
        if (!dryRun || counted.add(b)) {
          batches++;
        }
      }
      after = page.get(page.size() - 1);
      if (page.size() < PAGE) {
        break;
      }
    }
    return new Totals(executions, logLines, cacheEntries, batches);
  }
}
