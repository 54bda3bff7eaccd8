package dev.rgrid.client.internal;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.preparation.BatchDownloads;
import dev.rgrid.core.preparation.LaterBatchItems;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handle on a batch submitted to a server that fans out from a run that had not ended: its
 * runs are made by the server's worker that expands it, so everything is asked of the server,
 * as the embedded handle on such a batch reads everything from the store. Until it is expanded
 * its one item is its template run, shown as {@code PARENT:GLOB}, counted as queued (or as
 * failed, when the parent did not succeed or produced nothing to run on). {@link #await} polls
 * the server and tells the listener each latest run's end (once) and the counts, returning once
 * every run has ended.
 */
final class RemoteLaterBatch implements Batch {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteLaterBatch.class);
  private static final long POLL_MILLIS = 250;

  private final RemoteBatches batches;
  private final Executions executions;
  private final BatchId id;
  private final BatchListener listener;
  /** Runs whose end the listener heard; guarded by this. */
  private final Set<ExecutionId> told = new HashSet<>();

  RemoteLaterBatch(RemoteBatches batches, Executions executions, BatchId id,
      BatchListener listener) {
    this.batches = batches;
    this.executions = executions;
    this.id = id;
    this.listener = listener;
  }

  @Override
  public BatchId id() {
    return id;
  }

  /** The batch's template until it is expanded, then its runs (each input's latest). */
  @Override
  public List<BatchItem> items() {
    return latest().stream().map(LaterBatchItems.Run::item).toList();
  }

  private List<LaterBatchItems.Run> latest() {
    return LaterBatchItems.latest(batches.executions(id, Set.of()));
  }

  @Override
  public BatchProgress progress() {
    return batches.get(id).progress();
  }

  @Override
  public BatchProgress await() throws InterruptedException {
    return await(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow();
  }

  @Override
  public Optional<BatchProgress> await(Duration timeout) throws InterruptedException {
    // Beyond ~70 years is forever; nanosecond arithmetic that far out would overflow.
    long deadline = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE / 4)) >= 0
        ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeout.toNanos());
    int ended = -1;
    while (true) {
      BatchProgress p = progress();
      if (p.ended() != ended || p.done()) {
        ended = p.ended();
        tell(p);
      }
      if (p.done()) {
        return Optional.of(p);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      synchronized (this) {
        wait(Math.max(1, Math.min(POLL_MILLIS, left / 1_000_000)));
      }
    }
  }

  /** Tells the listener of the runs that ended since it was last told, then of {@code p}. */
  private void tell(BatchProgress p) {
    if (listener == BatchListener.NONE) {
      return;
    }
    try {
      for (LaterBatchItems.Run run : latest()) {
        ExecutionRecord r = run.record();
        boolean first;
        synchronized (this) {
          first = r.status().isTerminal() && told.add(r.id());
        }
        if (first) {
          listener.onItemEnded(run.item(), r);
        }
      }
      listener.onProgress(p);
    } catch (RGridException e) {
      // The server is away: the next read tells what this one could not.
      LOG.debug("cannot read batch {}: {}", id, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("batch listener failed for {}", id, e);
    }
  }

  @Override
  public int cancel() {
    return batches.cancel(id);
  }

  @Override
  public ExecutionRecord record(BatchItem item) {
    return executions.get(item.executionId());
  }

  @Override
  public List<Path> downloadOutputs(Path directory, boolean flat) {
    List<BatchItem> runs = latest().stream()
        .filter(r -> !LaterBatchItems.isTemplate(r.record()))
        .map(LaterBatchItems.Run::item).toList();
    return BatchDownloads.download(runs, directory, flat, new BatchDownloads.Source() {
      @Override
      public List<Artifact> artifacts(ExecutionId execution) {
        return executions.outputs(execution);
      }

      @Override
      public List<Path> download(ExecutionId execution, List<Artifact> artifacts, Path dir) {
        return executions.download(execution, artifacts, dir);
      }
    });
  }

  @Override
  public String toString() {
    return "RemoteLaterBatch[" + id + "]";
  }
}
