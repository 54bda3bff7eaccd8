package example.pipeline;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureReason;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A data pipeline step written in Java that hands the per-file work to a Python script: RGrid runs
 * {@code count_words.py} once per text file (a batch), this program follows the progress, downloads
 * each file's {@code counts.tsv} and adds them up into one report.
 *
 * <p>Where the scripts run is not this program's concern: {@link RGrid#client()} resolves it as
 * the {@code rgrid} command does, a server when {@code RGRID_URL} and {@code RGRID_API_KEY} are set
 * (and rgrid-client is on the class path, see samples/server), else the embedded state under
 * {@code RGRID_HOME} (default {@code ~/.rgrid}) run in this process.
 */
public final class WordCount {
  private WordCount() {}

  /**
   * Entry point; exits with 0 when every file was counted, 1 when some failed, 2 when RGrid
   * refused the batch (no input file, bad configuration) or on misuse.
   *
   * @param args the script, the folder of {@code .txt} files, the folder to download outputs to
   */
  public static void main(String[] args) throws InterruptedException, IOException {
    if (args.length != 3) {
      System.err.println("usage: WordCount SCRIPT TEXT_FOLDER OUTPUT_FOLDER");
      System.exit(2);
    }
    try {
      System.exit(run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2])));
    } catch (RGridException e) { // says what went wrong and, in its hint, what to do
      System.err.println("error: " + e.getMessage() + e.hint().map(h -> " (" + h + ")").orElse(""));
      System.exit(2);
    }
  }

  static int run(Path script, Path texts, Path outputs) throws InterruptedException, IOException {
    try (RGrid rgrid = RGrid.client()) {
      // Each input file is appended to the script's arguments: count_words.py <file>.
      RunSpec each = RunSpec.builder(script).timeout(Duration.ofMinutes(2)).build();
      Batch batch = rgrid.batch(BatchSpec.builder(each)
          .glob(texts.resolve("*.txt").toString())
          .parallel(2)
          .listener(new ProgressPrinter())
          .build());
      BatchProgress done = batch.await();
      System.out.println(batch.id().value() + ": " + done.succeeded() + " of " + done.total()
          + " files counted (" + done.cached() + " reused from the cache)");
      if (done.succeeded() < done.total()) {
        for (BatchItem item : batch.items()) {
          reportFailure(batch, item);
        }
        return 1;
      }
      // One folder per input under outputs/, named after it: outputs/hamlet.txt/counts.tsv.
      batch.downloadOutputs(outputs, false);
      WordTally tally = new WordTally();
      for (BatchItem item : batch.items()) {
        tally.add(item.input().getFileName().toString(),
            outputs.resolve(item.folder()).resolve("counts.tsv"));
      }
      tally.print(System.out, 5);
      return 0;
    }
  }

  private static void reportFailure(Batch batch, BatchItem item) {
    if (item.executionId() == null) {
      System.err.println(item.input() + ": not submitted: " + item.error());
      return;
    }
    ExecutionRecord r = batch.record(item);
    if (r.status() != ExecutionStatus.SUCCEEDED) {
      FailureReason why = r.failure();
      System.err.println(item.input() + ": " + r.status()
          + (why == null ? "" : ": " + why.message())
          + (why == null || why.hint() == null ? "" : " (" + why.hint() + ")"));
    }
  }

  /** Prints each file as it ends and the counts as they change; called from RGrid's threads. */
  private static final class ProgressPrinter implements BatchListener {
    @Override
    public void onItemEnded(BatchItem item, ExecutionRecord record) {
      System.out.println("  " + item.input().getFileName() + ": "
          + (record == null ? "not submitted" : record.status()
          + (record.cached() ? " (cached)" : "")));
    }

    @Override
    public void onProgress(BatchProgress p) {
      System.out.println("  progress: " + p.ended() + "/" + p.total() + " ended, "
          + p.running() + " running, " + p.failed() + " failed");
    }
  }
}
