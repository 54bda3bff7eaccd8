package dev.rgrid.core.preparation;

import dev.rgrid.core.BatchItem;
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The items of a batch fanned out from a run that had not ended when it was submitted, read from
 * its stored runs: its runs are made by whichever worker expands it, so its handle (embedded or
 * remote) knows them only from what the store holds. Until then its one item is its template
 * run, shown as {@code PARENT:GLOB}; afterwards the template is replaced by the batch's runs.
 */
public final class LaterBatchItems {
  private LaterBatchItems() {}

  /**
   * A latest run of the batch and its item.
   *
   * @param item the item, indexed in the order of the runs' names
   * @param record the run as read
   */
  public record Run(BatchItem item, ExecutionRecord record) {}

  /**
   * The latest runs among {@code runs} (every run of the batch: a run retried, or the template
   * once expanded, is replaced), ordered by the name of the input each takes, with their items.
   */
  public static List<Run> latest(List<ExecutionRecord> runs) {
    List<ExecutionRecord> latest = new ArrayList<>();
    for (ExecutionRecord r : runs) {
      if (r.retriedBy() == null) {
        latest.add(r);
      }
    }
    latest.sort(Comparator.comparing(LatestRuns::stagedName));
    List<Run> out = new ArrayList<>(latest.size());
    for (ExecutionRecord r : latest) {
      boolean template = FanOut.isTemplate(r);
      ParentLink source = template ? FanOut.source(r.spec()) : null;
      String name = template ? source.parent() + ":" + source.glob() : LatestRuns.stagedName(r);
      String folder = template ? r.id().value()
          : r.spec().labels().getOrDefault(LatestRuns.ITEM_LABEL, r.id().value());
      out.add(new Run(new BatchItem(out.size(), Path.of(name), folder, r.id(), null), r));
    }
    return out;
  }

  /** Whether {@code record} is the template run of a batch fanned out later. */
  public static boolean isTemplate(ExecutionRecord record) {
    return FanOut.isTemplate(record);
  }
}
