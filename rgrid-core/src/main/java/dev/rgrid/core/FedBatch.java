package dev.rgrid.core;

import dev.rgrid.spi.store.BatchRecord;
import java.util.List;
import java.util.Objects;

/**
 * A batch fed by other runs as a server stores it for a remote client ({@link
 * AccountView#createFedBatch}): the record, and what the client submits into it. Either its
 * runs, one per item ({@link FedRun}), or, when it fans out from a run that has not ended, none
 * yet ({@link #expandsLater()}): then the client submits the batch's one template run, labelled
 * {@code rgrid.fan-out=pending} and waiting for that run through an item link whose glob is the
 * batch's, which a worker expands into the batch's runs when the run succeeds.
 *
 * @param record the batch as stored (size 0 when it expands later)
 * @param runs the runs to submit, in the order of its inputs; empty when it expands later
 * @param expandsLater whether its runs are made when its source run ends
 */
public record FedBatch(BatchRecord record, List<FedRun> runs, boolean expandsLater) {
  /** Checks the values. */
  public FedBatch {
    Objects.requireNonNull(record, "record");
    runs = List.copyOf(runs);
    if (expandsLater && !runs.isEmpty()) {
      throw new IllegalArgumentException("a batch that expands later has no runs yet");
    }
  }
}
