package dev.rgrid.client.internal;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.preparation.BatchDownloads;
import dev.rgrid.core.preparation.NotSubmitted;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handle on a batch submitted to a server. Its items are known here; where it stands is
 * asked of the server, which runs it. When the batch has a listener, a watcher thread polls the
 * server and tells the listener each input's end (once) and each change of the counts, and
 * {@link #await} returns only once the listener heard every end, as an embedded batch does.
 * Thread-safe.
 */
public final class RemoteBatch implements Batch {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBatch.class);
  private static final Duration MIN_POLL = Duration.ofMillis(250);
  private static final Duration MAX_POLL = Duration.ofSeconds(5);
  /** Inputs per step of the poll interval: a listing of a large batch is not asked for often. */
  private static final int INPUTS_PER_STEP = 500;
  private static final EnumSet<ExecutionStatus> ENDED = EnumSet.of(ExecutionStatus.SUCCEEDED,
      ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED,
      ExecutionStatus.SKIPPED);

  private final RemoteBatches batches;
  private final Executions executions;
  private final BatchId id;
  private final List<BatchItem> items;
  private final BatchListener listener;
  private final Duration poll;
  private final Map<ExecutionId, BatchItem> byExecution = new HashMap<>();
  /** Items whose end the listener heard (not submitted ones included); guarded by this. */
  private final boolean[] heard;
  private int delivered;
  /** Inputs that could not be submitted. */
  private final int refused;

  /**
   * @param items every input, in batch order, submitted or not
   * @param listener hears the ends of the submitted items ({@link BatchListener#NONE}: no
   *     watcher); those that were not submitted it has heard already
   */
  RemoteBatch(RemoteBatches batches, Executions executions, BatchId id, List<BatchItem> items,
      BatchListener listener) {
    this.batches = batches;
    this.executions = executions;
    this.id = id;
    this.items = List.copyOf(items);
    this.listener = listener;
    this.heard = new boolean[items.size()];
    long steps = 1 + items.size() / INPUTS_PER_STEP;
    this.poll = MIN_POLL.multipliedBy(steps).compareTo(MAX_POLL) > 0 ? MAX_POLL
        : MIN_POLL.multipliedBy(steps);
    for (BatchItem item : this.items) {
      if (item.executionId() == null) {
        heard[item.index()] = true;
        delivered++;
      } else {
        byExecution.put(item.executionId(), item);
      }
    }
    this.refused = delivered;
    if (listener == BatchListener.NONE) {
      delivered = heard.length; // nobody to tell: await waits for the server alone
    } else if (delivered < heard.length) {
      Thread watcher = new Thread(this::watch, "rgrid-batch-" + id.value());
      watcher.setDaemon(true); // a batch left unwatched must not keep the program alive
      watcher.start();
    }
  }

  @Override
  public BatchId id() {
    return id;
  }

  @Override
  public List<BatchItem> items() {
    return items;
  }

  /**
   * Where it stands, from the server, with the inputs this client could not submit counted as
   * failed (the server counts an input without an execution as queued: it may still come).
   */
  @Override
  public BatchProgress progress() {
    return NotSubmitted.countedAsFailed(batches.get(id).progress(), refused);
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
    while (true) {
      BatchProgress p = progress();
      synchronized (this) {
        if (p.done() && delivered >= heard.length) {
          return Optional.of(p);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        // The watcher wakes this early when it delivers; else poll again after a while.
        wait(Math.max(1, Math.min(poll.toMillis(), left / 1_000_000)));
      }
    }
  }

  /** Every unfinished execution of the batch, asked of the server; how many were cancelled. */
  @Override
  public int cancel() {
    return batches.cancel(id);
  }

  @Override
  public ExecutionRecord record(BatchItem item) {
    if (item.executionId() == null) {
      throw new IllegalArgumentException("input " + item.input() + " was not submitted: "
          + item.error());
    }
    return executions.get(item.executionId());
  }

  @Override
  public List<Path> downloadOutputs(Path directory, boolean flat) {
    return BatchDownloads.download(items, directory, flat, new BatchDownloads.Source() {
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

  /**
   * Polls until the listener heard every end: the counts each time, and the list of ended
   * executions whenever more have ended than before.
   */
  private void watch() {
    int endedBefore = -1;
    BatchProgress last = null;
    while (!executions.closed()) {
      try {
        BatchProgress p = progress();
        // Once it is done, look until every end was heard: a retry starting as another input
        // ends leaves the count unchanged.
        if (p.ended() != endedBefore || p.done()) {
          endedBefore = p.ended();
          for (ExecutionRecord r : batches.executions(id, ENDED)) {
            deliverEnd(r);
          }
        }
        if (last == null || !sameCounts(last, p)) {
          last = p;
          call(() -> listener.onProgress(p));
        }
      } catch (RGridException e) {
        // The server stayed away beyond the retry deadline: keep trying while the RGrid lives.
        LOG.warn("cannot follow batch {}: {}", id, e.getMessage());
      } catch (RuntimeException e) {
        if (!executions.closed()) { // else: closed meanwhile, and nobody listens any more
          LOG.error("following batch {} failed; its listener hears no more", id, e);
        }
        giveUp();
        return;
      }
      synchronized (this) {
        if (delivered >= heard.length) {
          return;
        }
        try {
          wait(poll.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
    giveUp();
  }

  /** Lets {@link #await} stop waiting for deliveries that will not come. */
  private synchronized void giveUp() {
    delivered = heard.length;
    notifyAll();
  }

  /** Tells the listener that {@code r} ended, unless it heard of its item already. */
  private void deliverEnd(ExecutionRecord r) {
    BatchItem item = byExecution.get(r.id()); // retries have ids of their own: not an item
    if (item == null) {
      return;
    }
    synchronized (this) {
      if (heard[item.index()]) {
        return;
      }
      heard[item.index()] = true;
    }
    call(() -> listener.onItemEnded(item, r));
    synchronized (this) {
      delivered++;
      notifyAll();
    }
  }

  private void call(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("batch listener failed for {}", id, e);
    }
  }

  private static boolean sameCounts(BatchProgress a, BatchProgress b) {
    return a.total() == b.total() && a.queued() == b.queued() && a.running() == b.running()
        && a.succeeded() == b.succeeded() && a.failed() == b.failed()
        && a.cancelled() == b.cancelled() && a.cached() == b.cached()
        && a.costMicros() == b.costMicros();
  }

  @Override
  public String toString() {
    return "RemoteBatch[" + id + "]";
  }
}
