package dev.rgrid.core.preparation;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchOutput;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.internal.batch.OutputFolders;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.InputFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Downloading the outputs of a stored batch, found by its id (so also one submitted by another
 * process, or detached), as {@link BatchDownloads} downloads those of a batch just run: one folder
 * per input, or all in one when flat. Each input counts with its latest execution (a retry
 * replaces what it retried). The batch's input paths are not stored, only the name each input
 * was staged under in the working directory, so folders are named after that: the same folders as
 * the run's when the inputs' file names differ.
 */
public final class StoredBatchOutputs {
  private static final int PAGE = 200;

  private StoredBatchOutputs() {}

  /**
   * Downloads the outputs of every ended execution of batch {@code id} through {@code rgrid}.
   *
   * @return the files written
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   * @throws dev.rgrid.core.InvalidRunSpecException when {@code flat} and outputs clash
   */
  public static List<Path> download(RGrid rgrid, BatchId id, Path directory, boolean flat) {
    rgrid.batchRecord(id); // an unknown batch is said as such, not as a batch without outputs
    List<ExecutionRecord> latest = latest(rgrid, id);
    List<Path> names = latest.stream().map(r -> Path.of(stagedName(r))).toList();
    List<String> folders = OutputFolders.assign(names);
    List<BatchItem> items = new ArrayList<>(latest.size());
    for (int i = 0; i < latest.size(); i++) {
      items.add(new BatchItem(i, names.get(i), folders.get(i), latest.get(i).id(), null));
    }
    return BatchDownloads.download(items, directory, flat, new BatchDownloads.Source() {
      @Override
      public List<Artifact> artifacts(ExecutionId execution) {
        return rgrid.outputs(execution);
      }

      @Override
      public List<Path> download(ExecutionId execution, List<Artifact> artifacts, Path dir) {
        return rgrid.download(execution, dir);
      }
    });
  }

  /**
   * Every output of the ended executions of batch {@code id}, as {@code account} sees them,
   * ordered by input folder then path: what an archive of the batch's outputs holds.
   *
   * @throws dev.rgrid.spi.NotFoundException when the account has no such batch
   */
  public static List<BatchOutput> entries(AccountView account, BatchId id) {
    account.batchRecord(id); // an unknown batch is said as such, not as a batch without outputs
    List<ExecutionRecord> latest = latest(account::list, id);
    List<String> folders = OutputFolders.assign(latest.stream()
        .map(r -> Path.of(stagedName(r))).toList());
    List<BatchOutput> out = new ArrayList<>();
    for (int i = 0; i < latest.size(); i++) {
      ExecutionRecord r = latest.get(i);
      if (!r.status().isTerminal()) {
        continue;
      }
      String folder = folders.get(i);
      account.outputs(r.id()).stream().sorted(Comparator.comparing(Artifact::path))
          .forEach(a -> out.add(new BatchOutput(folder + "/" + a.path(), r.id(), a)));
    }
    out.sort(Comparator.comparing(BatchOutput::name));
    return out;
  }

  /** The batch's executions that were not retried, by id (folders do not depend on order). */
  private static List<ExecutionRecord> latest(RGrid rgrid, BatchId id) {
    return latest(rgrid::list, id);
  }

  private static List<ExecutionRecord> latest(
      java.util.function.Function<ExecutionQuery, ExecutionPage> list, BatchId id) {
    List<ExecutionRecord> out = new ArrayList<>();
    ExecutionId before = null;
    do {
      ExecutionPage page = list.apply(new ExecutionQuery(Set.of(), Map.of(), id.value(), before,
          PAGE));
      page.items().stream().filter(r -> r.retriedBy() == null).forEach(out::add);
      before = page.items().isEmpty() ? null : page.next();
    } while (before != null);
    out.sort(Comparator.comparing(r -> r.id().value()));
    return out;
  }

  /** The name the batch's input was staged under: the last input (the template's come first). */
  static String stagedName(ExecutionRecord r) {
    List<InputFile> inputs = r.spec().inputs();
    if (!inputs.isEmpty()) {
      return inputs.get(inputs.size() - 1).path();
    }
    return r.id().value(); // an input that was not a file: the execution names its folder
  }
}
