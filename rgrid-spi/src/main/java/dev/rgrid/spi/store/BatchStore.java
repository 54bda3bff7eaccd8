package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Batches: one script over many inputs, each input an execution labelled with the batch id. Part
 * of {@link MetadataStore}; the summary reads the batch's executions ({@link ExecutionStore}).
 * Every method may throw {@link BackendUnavailableException}.
 */
public interface BatchStore {

  /**
   * Stores a new batch (before its executions).
   *
   * @throws ConflictException when a batch with its id exists
   */
  void createBatch(BatchRecord batch);

  /** A batch, if there is one with that id. */
  Optional<BatchRecord> findBatch(BatchId id);

  /**
   * The batches carrying every one of {@code labels}, newest first (by id, which orders by
   * creation): at most {@code limit}, only those before {@code before} when it is not null (the
   * last id of the previous page).
   *
   * @throws IllegalArgumentException when {@code limit} is not between 1 and 1000
   */
  List<BatchRecord> listBatches(Map<String, String> labels, BatchId before, int limit);

  /**
   * How the executions of a batch stand: counts per status, cache hits and cost of the latest
   * execution of each retry chain (executions whose {@code retriedBy} is set are left out).
   */
  BatchSummary batchSummary(BatchId id);

  /**
   * Removes the batch {@code id} if no execution of it is stored, in one step: a batch whose
   * first execution was refused, so that nothing of it was ever stored, is not left behind
   * counting every input as queued for ever. A batch with an execution is kept.
   *
   * @return whether the batch was removed (false when it has an execution or does not exist)
   */
  boolean removeEmptyBatch(BatchId id);
}
