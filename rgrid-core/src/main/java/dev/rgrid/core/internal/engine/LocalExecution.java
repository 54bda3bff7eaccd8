package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Execution;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The handle on an execution. Waits on the local completion signal when this instance runs it, and
 * checks the store as well, so an execution ended by another process (cancelled, adopted) is seen.
 */
final class LocalExecution implements Execution {
  private static final long CHECK_MILLIS = 200;
  /** How many store checks a run ending here may take to announce itself (about 10 s). */
  private static final int ANNOUNCE_CHECKS = 50;

  private final Engine engine;
  private final MetadataStore store;
  private final ExecutionId id;
  private final CompletableFuture<ExecutionRecord> done;

  LocalExecution(Engine engine, MetadataStore store, ExecutionId id,
      CompletableFuture<ExecutionRecord> done) {
    this.engine = engine;
    this.store = store;
    this.id = id;
    this.done = done;
  }

  @Override
  public ExecutionId id() {
    return id;
  }

  @Override
  public ExecutionStatus status() {
    return record().status();
  }

  @Override
  public ExecutionRecord record() {
    return store.get(id);
  }

  @Override
  public ExecutionRecord await() throws InterruptedException {
    while (true) {
      Optional<ExecutionRecord> r = await(Duration.ofDays(1));
      if (r.isPresent()) {
        return r.get();
      }
    }
  }

  @Override
  public Optional<ExecutionRecord> await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int endedUnannounced = 0;
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      long slice = Math.max(0, Math.min(left, CHECK_MILLIS));
      if (done != null) {
        try {
          return Optional.of(done.get(slice, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
          // not yet: look at the store below
        } catch (ExecutionException e) {
          throw new IllegalStateException("completion signal failed", e.getCause());
        }
      } else if (slice > 0) {
        Thread.sleep(slice);
      }
      ExecutionRecord now = record();
      if (now.status().isTerminal()) {
        // Ended by no local event (skipped when a parent failed, or ended by another process):
        // this instance's listeners hear of it here. An end this instance's own worker is
        // recording is seen in the store a moment before that worker has counted its cost and
        // raised the spending alerts it crossed: returning now would let a caller end (a CLI
        // command, its session in the agent) before those alerts are said. So the worker's own
        // announcement is awaited, for a bounded while in case it never comes.
        if (engine.endedElsewhere(now) || done == null || left <= 0
            || ++endedUnannounced > ANNOUNCE_CHECKS) {
          return Optional.of(now);
        }
        continue;
      }
      if (left <= 0) {
        return Optional.empty();
      }
    }
  }

  @Override
  public boolean cancel() {
    return engine.cancel(id);
  }

  @Override
  public List<LogLine> logs() {
    return engine.outputs().logs(id, 0, Integer.MAX_VALUE);
  }

  @Override
  public List<Artifact> outputs() {
    return engine.outputs().artifacts(id);
  }

  @Override
  public List<Path> downloadOutputs(Path directory) {
    return engine.outputs().download(id, directory);
  }

  @Override
  public String toString() {
    return "Execution[" + id + "]";
  }
}
