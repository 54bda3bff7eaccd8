package dev.rgrid.core;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A handle on a submitted batch: one execution per input, at most {@code parallel} of them running
 * at once across every worker. Thread-safe.
 */
public interface Batch {
  /** Its id. */
  BatchId id();

  /** Its inputs, in batch order, each with its execution. */
  List<BatchItem> items();

  /** Where it stands now. */
  BatchProgress progress();

  /**
   * Waits until every input has ended.
   *
   * @return the final progress
   * @throws InterruptedException when the waiting thread is interrupted (the batch goes on)
   */
  BatchProgress await() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for every input to end.
   *
   * @return the final progress, or empty if some input is still queued or running
   */
  Optional<BatchProgress> await(Duration timeout) throws InterruptedException;

  /**
   * Cancels every input that has not ended: queued ones at once, running ones are killed.
   *
   * @return how many were cancelled
   */
  int cancel();

  /** The current state of an item's execution, read from the store. */
  ExecutionRecord record(BatchItem item);

  /**
   * Downloads the outputs of every ended input: into {@code directory/<item folder>/}, or, when
   * {@code flat}, all into {@code directory} itself, refusing (before writing anything) when two
   * inputs' outputs would overwrite each other.
   *
   * @return the files written
   * @throws InvalidRunSpecException when {@code flat} and outputs clash, naming every clash
   */
  List<Path> downloadOutputs(Path directory, boolean flat);
}
