package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.preparation.BatchDownloads;
import dev.rgrid.core.preparation.NotSubmitted;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The handle on a batch this instance submitted. Counts are kept from the status events of its
 * executions, so progress costs no store query; each item's state moves only forward once ended.
 * Ends recorded by another process (a {@code rgrid cancel} from another shell cancels queued
 * executions there) raise no event here: while someone awaits, the batch catches up with the
 * store when it announces a change of one of its executions, and every {@link #CATCH_UP_MILLIS}
 * in any case (a store may announce nothing across processes).
 */
final class LocalBatch implements Batch {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalBatch.class);

  private static final long STORE_POLL_MILLIS = 200;
  /** How often an awaited batch compares its ends with the store's when nothing is announced. */
  private static final long CATCH_UP_MILLIS = 500;
  /** The least time between two catch-ups, however often the store announces changes. */
  private static final long CATCH_UP_GAP_MILLIS = 100;
  private static final Set<ExecutionStatus> ENDED = EnumSet.of(ExecutionStatus.SUCCEEDED,
      ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED,
      ExecutionStatus.SKIPPED);

  private final Engine engine;
  private final MetadataStore store;
  private final BatchId id;
  private final List<Path> inputs;
  private final List<String> folders;
  private final BatchListener listener;
  private final Clock clock;
  private final Instant started;
  private final BatchItem[] items;
  private final ExecutionStatus[] states;
  private final Object listenerLock = new Object();
  private int queued;
  private int running;
  private int succeeded;
  private int failed;
  private int cancelled;
  private int cached;
  private long cost;
  /** Ends whose listener calls returned: await waits for these, so listeners hear all first. */
  private int delivered;
  /** Inputs that could not be submitted: the store counts them as queued. */
  private int refused;
  /** Item index by execution id, for ends learnt from the store. */
  private final Map<ExecutionId, Integer> indexOf = new HashMap<>();
  /** A change of one of its executions was announced since the last catch-up. */
  private boolean announced;
  /** When the store was last caught up with ({@link System#nanoTime}). */
  private long caughtUpAt = System.nanoTime();

  LocalBatch(Engine engine, MetadataStore store, BatchId id, List<Path> inputs,
      List<String> folders, BatchListener listener, Clock clock) {
    this.engine = engine;
    this.store = store;
    this.id = id;
    this.inputs = List.copyOf(inputs);
    this.folders = List.copyOf(folders);
    this.listener = listener;
    this.clock = clock;
    this.started = clock.instant();
    this.items = new BatchItem[inputs.size()];
    this.states = new ExecutionStatus[inputs.size()];
    Arrays.fill(states, ExecutionStatus.QUEUED);
    this.queued = inputs.size();
  }

  /** The listener for item {@code index}'s execution, passing every event on to {@code also}. */
  ExecutionListener listenerFor(int index, ExecutionListener also) {
    return new ExecutionListener() {
      @Override
      public void onStatus(ExecutionRecord record) {
        update(index, record, null);
        also.onStatus(record);
      }

      @Override
      public void onOutput(LogStream stream, byte[] bytes) {
        also.onOutput(stream, bytes);
      }

      @Override
      public void onLogLine(LogLine line) {
        also.onLogLine(line);
      }

      @Override
      public void onNotice(String message) {
        also.onNotice(message);
      }
    };
  }

  /** Item {@code index} was submitted as {@code execution}. */
  void submitted(int index, ExecutionId execution) {
    synchronized (this) {
      if (items[index] == null) {
        items[index] = new BatchItem(index, inputs.get(index), folders.get(index), execution, null);
      }
      indexOf.put(execution, index);
    }
  }

  /** Item {@code index} could not be submitted: it counts as failed, with {@code why}. */
  void notSubmitted(int index, String why) {
    synchronized (this) {
      refused++;
    }
    update(index, null, why);
  }

  private void update(int index, ExecutionRecord record, String error) {
    ExecutionStatus next = record == null ? ExecutionStatus.FAILED : record.status();
    BatchItem item;
    BatchProgress progress;
    synchronized (this) {
      if (items[index] == null) {
        items[index] = record == null
            ? new BatchItem(index, inputs.get(index), folders.get(index), null, error)
            : new BatchItem(index, inputs.get(index), folders.get(index), record.id(), null);
      }
      item = items[index];
      ExecutionStatus before = states[index];
      if (before.isTerminal() || before == next) {
        return;
      }
      count(before, -1);
      count(next, 1);
      states[index] = next;
      if (next.isTerminal() && record != null) {
        cost = Math.addExact(cost, record.costMicros());
        if (record.cached()) {
          cached++;
        }
      }
      progress = progressLocked();
    }
    synchronized (listenerLock) {
      try {
        if (next.isTerminal()) {
          listener.onItemEnded(item, record);
        }
        listener.onProgress(progress);
      } catch (RuntimeException e) {
        LOG.warn("batch listener failed for {}", id, e);
      }
    }
    if (next.isTerminal()) {
      synchronized (this) {
        delivered++;
        notifyAll();
      }
    }
  }

  private boolean allDelivered() {
    return delivered >= items.length;
  }

  private void count(ExecutionStatus status, int delta) {
    switch (status) {
      case QUEUED, WAITING -> queued += delta;
      case RUNNING -> running += delta;
      case SUCCEEDED -> succeeded += delta;
      case CANCELLED -> cancelled += delta;
      default -> failed += delta; // FAILED, TIMED_OUT, SKIPPED
    }
  }

  private BatchProgress progressLocked() {
    return BatchProgress.of(items.length, queued, running, succeeded, failed, cancelled, cached,
        cost, Duration.between(started, clock.instant()));
  }

  @Override
  public BatchId id() {
    return id;
  }

  @Override
  public synchronized List<BatchItem> items() {
    List<BatchItem> out = new ArrayList<>(items.length);
    for (BatchItem item : items) {
      if (item != null) {
        out.add(item);
      }
    }
    return out;
  }

  @Override
  public BatchProgress progress() {
    if (!engine.runsWork()) {
      return storedProgress(); // other workers run it: only the store knows
    }
    synchronized (this) {
      return progressLocked();
    }
  }

  private BatchProgress storedProgress() {
    int n;
    synchronized (this) {
      n = refused;
    }
    return NotSubmitted.countedAsFailed(engine.batches().progress(id), n);
  }

  @Override
  public BatchProgress await() throws InterruptedException {
    return await(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow();
  }

  @Override
  public Optional<BatchProgress> await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
    if (!engine.runsWork()) {
      // Submitted for other workers: no local events arrive, so read the store now and then.
      while (true) {
        BatchProgress p = storedProgress();
        if (p.done() || System.nanoTime() >= deadline) {
          return p.done() ? Optional.of(p) : Optional.empty();
        }
        Thread.sleep(Math.max(1, Math.min(STORE_POLL_MILLIS,
            (deadline - System.nanoTime()) / 1_000_000)));
      }
    }
    AutoCloseable subscription = store.subscribeChanges(this::announce);
    try {
      while (true) {
        synchronized (this) {
          while (!allDelivered() && !catchUpDue()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return Optional.empty();
            }
            wait(Math.max(1, Math.min(left / 1_000_000, CATCH_UP_GAP_MILLIS)));
          }
          if (allDelivered()) {
            return Optional.of(progressLocked());
          }
          announced = false;
          caughtUpAt = System.nanoTime();
        }
        catchUp();
      }
    } finally {
      close(subscription);
    }
  }

  /** A change of execution {@code changed} (null: of any) was announced by the store. */
  private void announce(ExecutionId changed) {
    synchronized (this) {
      if (changed == null || indexOf.containsKey(changed)) {
        announced = true;
        notifyAll();
      }
    }
  }

  private boolean catchUpDue() {
    long since = (System.nanoTime() - caughtUpAt) / 1_000_000;
    return since >= CATCH_UP_MILLIS || announced && since >= CATCH_UP_GAP_MILLIS;
  }

  /**
   * Hands the engine every end the store holds that no local event told of. One summary query
   * when there is none (the usual case); the ended executions are listed only when the store
   * counts more ends than were heard here.
   */
  private void catchUp() {
    List<ExecutionRecord> ended;
    try {
      BatchSummary s = store.batchSummary(id);
      long storedEnds = ENDED.stream().mapToLong(s::count).sum();
      synchronized (this) {
        if (storedEnds <= succeeded + failed + cancelled - refused) {
          return;
        }
      }
      ended = Batches.all(store, id, ENDED);
    } catch (RGridException e) {
      // The store is away: local events still arrive, and the next catch-up tries again.
      LOG.debug("cannot compare batch {} with the store: {}", id, e.getMessage());
      return;
    }
    for (ExecutionRecord r : ended) {
      boolean ours;
      synchronized (this) {
        Integer index = indexOf.get(r.id()); // a retry by hand has an id of its own: not ours
        ours = index != null && !states[index].isTerminal();
      }
      if (ours) {
        engine.endedElsewhere(r);
      }
    }
  }

  private static void close(AutoCloseable subscription) {
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("closing the store subscription failed", e);
    }
  }

  /** Cancels what the store holds as unended: no store read for each input that has ended. */
  @Override
  public int cancel() {
    return engine.batches().cancel(id);
  }

  @Override
  public ExecutionRecord record(BatchItem item) {
    if (item.executionId() == null) {
      throw new IllegalArgumentException("input " + item.input() + " was not submitted: "
          + item.error());
    }
    return store.get(item.executionId());
  }

  @Override
  public List<Path> downloadOutputs(Path directory, boolean flat) {
    return BatchDownloads.download(items(), directory, flat, new BatchDownloads.Source() {
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
