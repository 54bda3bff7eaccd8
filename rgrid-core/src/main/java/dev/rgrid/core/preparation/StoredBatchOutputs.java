package dev.rgrid.core.preparation;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchOutput;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Downloading the outputs of a stored batch, found by its id (so also one submitted by another
 * process, or detached), as {@link BatchDownloads} downloads those of a batch just run: one folder
 * per input, or all in one when flat. Each input counts with its latest execution, in the folder
 * {@link LatestRuns} names (the same folders as the run's when the inputs' file names differ).
 */
public final class StoredBatchOutputs {
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
    List<LatestRuns.Run> latest = LatestRuns.of(rgrid::list, id);
    List<BatchItem> items = new ArrayList<>(latest.size());
    for (int i = 0; i < latest.size(); i++) {
      LatestRuns.Run run = latest.get(i);
      items.add(new BatchItem(i, run.name(), run.folder(), run.id(), null));
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
    List<BatchOutput> out = new ArrayList<>();
    for (LatestRuns.Run run : LatestRuns.of(account::list, id)) {
      if (!run.status().isTerminal()) {
        continue;
      }
      account.outputs(run.id()).stream().sorted(Comparator.comparing(Artifact::path))
          .forEach(a -> out.add(new BatchOutput(run.folder() + "/" + a.path(), run.id(), a)));
    }
    out.sort(Comparator.comparing(BatchOutput::name));
    return out;
  }
}
