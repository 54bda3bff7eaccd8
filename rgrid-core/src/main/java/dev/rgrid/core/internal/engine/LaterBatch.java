package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.core.preparation.BatchDownloads;
import dev.rgrid.core.preparation.LaterBatchItems;
import dev.rgrid.core.preparation.LaterBatchItems.Run;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The handle on a batch fanned out from a run that had not ended ({@link FanOut}): its runs are
 * made by whichever worker expands it, so everything is read from the store. Until then its one
 * item is its template run, shown as {@code PARENT:GLOB}, counted as queued (or as failed, when
 * the parent did not succeed or produced nothing to run on). A waiter is woken by the store's
 * announcements and reads it again at least every {@link #READ_MILLIS}, as a batch left to other
 * workers is followed: a store may announce nothing across processes.
 */
final class LaterBatch implements Batch {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaterBatch.class);
  private static final long READ_MILLIS = 200;

  private final Engine engine;
  private final MetadataStore store;
  private final BatchId id;
  private final BatchListener listener;
  /** Runs whose end the listener heard. */
  private final Set<ExecutionId> told = new HashSet<>();
  private boolean announced;

  LaterBatch(Engine engine, MetadataStore store, BatchId id, BatchListener listener) {
    this.engine = engine;
    this.store = store;
    this.id = id;
    this.listener = listener;
  }

  @Override
  public BatchId id() {
    return id;
  }

  @Override
  public List<BatchItem> items() {
    return latest().stream().map(Run::item).toList();
  }

  /** The latest runs of the batch (the template too, until it is expanded), by folder. */
  private List<Run> latest() {
    return LaterBatchItems.latest(Batches.all(store, id, EnumSet.allOf(ExecutionStatus.class)));
  }

  @Override
  public BatchProgress progress() {
    return engine.batches().progress(id);
  }

  @Override
  public BatchProgress await() throws InterruptedException {
    return await(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow();
  }

  @Override
  public Optional<BatchProgress> await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
    AutoCloseable subscription = store.subscribeChanges(changed -> {
      synchronized (this) {
        announced = true;
        notifyAll();
      }
    });
    try {
      int ended = -1;
      while (true) {
        BatchProgress p = progress();
        if (p.ended() != ended) {
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
          if (!announced) {
            wait(Math.max(1, Math.min(left / 1_000_000, READ_MILLIS)));
          }
          announced = false;
        }
      }
    } finally {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("closing the store subscription failed", e);
      }
    }
  }

  /** Tells the listener of the runs that ended since it was last told, then of {@code p}. */
  private void tell(BatchProgress p) {
    try {
      for (Run run : latest()) {
        ExecutionRecord r = run.record();
        if (r.status().isTerminal() && told.add(r.id())) {
          listener.onItemEnded(run.item(), r);
        }
      }
      listener.onProgress(p);
    } catch (RGridException e) {
      // The store is away: the next read tells what this one could not.
      LOG.debug("cannot read batch {}: {}", id, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("batch listener failed for {}", id, e);
    }
  }

  @Override
  public int cancel() {
    return engine.batches().cancel(id);
  }

  @Override
  public ExecutionRecord record(BatchItem item) {
    return store.get(item.executionId());
  }

  @Override
  public List<Path> downloadOutputs(Path directory, boolean flat) {
    List<BatchItem> runs = latest().stream().filter(r -> !FanOut.isTemplate(r.record()))
        .map(Run::item).toList();
    return BatchDownloads.download(runs, directory, flat, new BatchDownloads.Source() {
      @Override
      public List<Artifact> artifacts(ExecutionId execution) {
        return engine.outputs().artifacts(execution);
      }

      @Override
      public List<Path> download(ExecutionId execution, List<Artifact> artifacts, Path dir) {
        return engine.outputs().download(artifacts, dir);
      }
    });
  }
}
