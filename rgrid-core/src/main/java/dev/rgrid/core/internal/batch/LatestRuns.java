package dev.rgrid.core.internal.batch;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The latest run of each input of a stored batch (a retry by hand replaces what it retried), and
 * the folder each input's outputs go under: what {@code rgrid download BATCH_ID}, the batch's
 * outputs archive and a run that takes a batch's outputs (fan-in) all lay out the same way. The
 * batch's input paths are not stored, only the name each input was staged under in the working
 * directory, so folders are named after that.
 *
 * <p>Only what naming needs is kept of each run (its id, staged name and status), read a page at
 * a time: a batch of 10,000 inputs is not held as 10,000 full records.
 */
public final class LatestRuns {
  private static final int PAGE = 200;

  private LatestRuns() {}

  /**
   * One input's latest run.
   *
   * @param id the run
   * @param status its status when read
   * @param name the name its input was staged under
   * @param folder the folder its outputs go under
   */
  public record Run(ExecutionId id, ExecutionStatus status, Path name, String folder) {}

  /**
   * The latest runs of batch {@code id}, by id, each with its folder, read through {@code list}
   * (a store's or an account's listing).
   */
  public static List<Run> of(Function<ExecutionQuery, ExecutionPage> list, BatchId id) {
    List<ExecutionId> ids = new ArrayList<>();
    List<ExecutionStatus> statuses = new ArrayList<>();
    List<Path> names = new ArrayList<>();
    ExecutionId before = null;
    do {
      ExecutionPage page = list.apply(new ExecutionQuery(Set.of(), Map.of(), id.value(), before,
          PAGE));
      for (ExecutionRecord r : page.items()) {
        if (r.retriedBy() == null) {
          ids.add(r.id());
          statuses.add(r.status());
          names.add(Path.of(stagedName(r)));
        }
      }
      before = page.items().isEmpty() ? null : page.next();
    } while (before != null);
    // Folders depend only on the set of names, not on their order (OutputFolders).
    List<String> folders = OutputFolders.assign(names);
    List<Run> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Run(ids.get(i), statuses.get(i), names.get(i), folders.get(i)));
    }
    out.sort(Comparator.comparing(r -> r.id().value()));
    return out;
  }

  /**
   * The label holding the folder of a run of a batch fed by another batch's runs: its parent
   * run's folder, so both batches lay their outputs out under the same names.
   */
  public static final String ITEM_LABEL = "rgrid.item";

  /**
   * The name the batch's input was staged under: the last input (the template's come first); for
   * a run fed by another batch's run, its parent run's folder.
   */
  public static String stagedName(ExecutionRecord r) {
    String item = r.spec().labels().get(ITEM_LABEL);
    if (item != null && r.spec().parents().stream().anyMatch(ParentLink::item)) {
      return item;
    }
    List<InputFile> inputs = r.spec().inputs();
    if (!inputs.isEmpty()) {
      return inputs.get(inputs.size() - 1).path();
    }
    return r.id().value(); // an input that was not a file: the execution names its folder
  }
}
