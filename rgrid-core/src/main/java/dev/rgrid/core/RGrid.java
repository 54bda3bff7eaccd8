package dev.rgrid.core;

import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The entry point: runs scripts and answers questions about their executions. Create one with
 * {@link #local()} (embedded, state under {@code ~/.rgrid}) or {@link #builder()}, share it between
 * threads, and close it when done. Closing waits briefly for running executions, then hands any
 * that are left back to the queue.
 *
 * <pre>{@code
 * try (RGrid rgrid = RGrid.local()) {
 *   Execution e = rgrid.run(RunSpec.builder(Path.of("hello.py")).args("data.csv").build());
 *   ExecutionRecord done = e.await();
 *   e.downloadOutputs(Path.of("outputs", e.id().value()));
 * }
 * }</pre>
 */
public final class RGrid implements AutoCloseable {
  private final Engine engine;
  private final List<AutoCloseable> owned;
  private final RuntimeCatalog catalog;
  private final dev.rgrid.core.internal.engine.LazyRuntime selected;
  private final Accounts accounts;

  RGrid(Engine engine, RuntimeCatalog catalog, List<AutoCloseable> owned,
      dev.rgrid.core.internal.engine.LazyRuntime selected, Accounts accounts) {
    this.accounts = accounts;
    this.engine = engine;
    this.catalog = catalog;
    this.owned = List.copyOf(owned);
    this.selected = selected;
  }

  /**
   * The embedded default: SQLite store and queue, file blob store and local runtime, all under
   * {@code RGRID_HOME} or {@code ~/.rgrid}, with an in-process worker.
   */
  public static RGrid local() {
    return builder().build();
  }

  /** A builder for explicit wiring. */
  public static RGridBuilder builder() {
    return new RGridBuilder();
  }

  /**
   * Accounts and API keys (what a server authenticates against).
   *
   * @throws UnsupportedOperationException when this instance has no account store
   */
  public Accounts accounts() {
    if (accounts == null) {
      throw new UnsupportedOperationException("this RGrid keeps no accounts: build it on its "
          + "state directory or shared state, or give RGridBuilder.accounts");
    }
    return accounts;
  }

  /**
   * Submits an execution whose script, inputs and accompanying files are already in the blob
   * store, as a server receives it from a remote client that prepared it. It is checked as a
   * {@link RunSpec} is (runtime, timeout, environment, labels, resources, paths) and each blob must
   * exist; labels starting with {@code rgrid.} are the caller's to set (a server sets {@link
   * dev.rgrid.spi.account.AccountId#LABEL}).
   *
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   */
  public Execution submit(dev.rgrid.spi.store.ExecutionSpec spec) {
    return engine.submit(spec);
  }

  /** The limits this instance applies to runs (default timeout, maximum sizes…). */
  public Limits limits() {
    return engine.context().limits();
  }

  /**
   * The blob store this instance keeps scripts, inputs and outputs in (content-addressed by
   * SHA-256), for a server that takes uploads and serves downloads.
   */
  public dev.rgrid.spi.blob.BlobStore blobStore() {
    return engine.context().blobs();
  }

  /** Submits a run; returns at once with its handle. */
  public Execution run(RunSpec spec) {
    return engine.submit(spec);
  }

  /**
   * Submits a batch: one execution per input, at most {@link BatchSpec#parallel()} of them
   * running at once across every worker; returns at once with its handle. Inputs are checked
   * before anything is submitted: a pattern matching nothing throws {@link NoMatchException}, an
   * unreadable input {@link InvalidRunSpecException}.
   */
  public Batch batch(BatchSpec spec) {
    return engine.batch(spec);
  }

  /**
   * Where a stored batch stands, from the store (so also for batches other processes run).
   *
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  public BatchProgress batchProgress(dev.rgrid.spi.BatchId id) {
    return engine.batchProgress(id);
  }

  /**
   * A stored batch: its script, runtime, size and parallelism.
   *
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  public dev.rgrid.spi.store.BatchRecord batchRecord(dev.rgrid.spi.BatchId id) {
    return engine.batchRecord(id);
  }

  /**
   * Cancels every execution of a batch that has not ended.
   *
   * @return how many were cancelled
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  public int cancelBatch(dev.rgrid.spi.BatchId id) {
    return engine.cancelBatch(id);
  }

  /**
   * Retries, as by {@link #retry}, every execution of a batch that failed or timed out (and was
   * cancelled, unless {@code failedOnly}) and has no retry yet. The new executions stay in the
   * batch and under its parallelism; retrying again only picks up what is still unsuccessful.
   *
   * @return the new executions (empty when nothing needed a retry)
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  public List<Execution> retryBatch(dev.rgrid.spi.BatchId id, boolean failedOnly) {
    return engine.retryBatch(id, failedOnly);
  }

  /**
   * Calls {@code onChange} with an execution's id soon after its log lines or record change, in
   * any process sharing the store (with {@code null}: look at everything again); see {@link
   * dev.rgrid.spi.store.MetadataStore#subscribeChanges}. Stores that cannot notify never call, so
   * a follower polls as well.
   *
   * @return a handle that stops the calls
   */
  public AutoCloseable subscribeChanges(java.util.function.Consumer<ExecutionId> onChange) {
    return engine.context().store().subscribeChanges(onChange);
  }

  /** The stored record of an execution, or empty when there is none. */
  public java.util.Optional<ExecutionRecord> find(ExecutionId id) {
    return engine.context().store().find(id);
  }

  /**
   * A handle on an existing execution.
   *
   * @throws dev.rgrid.spi.NotFoundException when there is none
   */
  public Execution execution(ExecutionId id) {
    return engine.attach(id);
  }

  /** The executions matching {@code query}, newest first. */
  public ExecutionPage list(ExecutionQuery query) {
    return engine.context().store().list(query);
  }

  /** Stored log lines of an execution after sequence number {@code afterSeq}. */
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return engine.logs(id, afterSeq, limit);
  }

  /**
   * Delivers an execution's log lines after {@code afterSeq} as they are stored, until it has ended
   * and every line was delivered; works for executions run by other processes too.
   *
   * @return its final state
   */
  public ExecutionRecord followLogs(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException {
    return engine.follow(id, afterSeq, consumer);
  }

  /** The output files of an execution. */
  public List<Artifact> outputs(ExecutionId id) {
    return engine.artifacts(id);
  }

  /** Downloads the output files of an execution into {@code directory}; returns the files. */
  public List<Path> download(ExecutionId id, Path directory) {
    return engine.download(id, directory);
  }

  /**
   * The result cache's entries, most recently used first, at most {@code limit} (≤ 100,000).
   * Each is a successful execution whose result later identical runs reuse.
   */
  public List<CacheEntry> cacheEntries(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return engine.cache().entries(limit);
  }

  /**
   * Removes result cache entries: those not used within {@code olderThan} (when not null), then
   * the least recently used until the rest take at most {@code maxBytes} (when not null). The
   * executions themselves stay, with their outputs; later identical runs simply run again.
   */
  public CachePruned pruneCache(Duration olderThan, Long maxBytes) {
    if (olderThan != null && olderThan.isNegative()) {
      throw new IllegalArgumentException("olderThan must not be negative");
    }
    if (maxBytes != null && maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative");
    }
    return engine.cache().prune(olderThan, maxBytes);
  }

  /**
   * What the executions that finished in [{@code since}, {@code until}) cost, in micros,
   * grouped {@code by} {@code day}, {@code runtime}, {@code batch}, {@code label} or {@code
   * total}. Each execution costs its run time at its worker's hourly price ({@link
   * RGridBuilder#hourlyPrice}), rounded up to the micro; cache hits cost nothing.
   *
   * @throws IllegalArgumentException for an unknown grouping or an empty range
   */
  public CostReport costs(java.time.Instant since, java.time.Instant until, String by) {
    return engine.costs().report(since, until, by);
  }

  /**
   * As {@link #costs(java.time.Instant, java.time.Instant, String)}, the range given as users
   * write it: dates ({@code 2026-11-01}, midnight UTC), date-times with a zone ({@code
   * 2026-11-01T10:00Z}) or ages ({@code 7d}, {@code 24h}); {@code null} since means the start of
   * the UTC month the range ends in, {@code null} until means now.
   *
   * @throws InvalidRunSpecException for a malformed value or dates out of order
   */
  public CostReport costs(String since, String until, String by) {
    try {
      dev.rgrid.core.internal.cost.DateRange range = dev.rgrid.core.internal.cost.DateRange
          .parse(since, until, engine.context().clock());
      return costs(range.since(), range.until(), by);
    } catch (dev.rgrid.core.internal.cost.CostException e) {
      throw new InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
    }
  }

  /**
   * What running {@code script} on {@code runtime} ({@code null}: from its suffix) once per input
   * matched by {@code globs} in {@code baseDirectory} (none: once) would cost: the median run
   * time of past successful runs of the same script content, else of the same runtime, at this
   * machine's hourly price, with the assumptions stated.
   *
   * @throws InvalidRunSpecException for a missing script, an unknown runtime or a glob that
   *     matches nothing
   */
  public Estimate estimate(Path script, String runtime, List<String> globs, Path baseDirectory) {
    return engine.estimates().estimate(script, runtime, globs, baseDirectory);
  }

  /** This month's spending (UTC calendar month) and the monthly limit, if one is set. */
  public SpendingStatus spending() {
    return engine.spending().status();
  }

  /**
   * Sets the monthly spending limit in micros, with the percentages at which alerts are raised
   * (empty: 50, 80 and 100); once this month's spending reaches it, new executions are refused
   * with {@link SpendingLimitException} (cache hits, which cost nothing, are not). {@code null}
   * removes the limit.
   *
   * @throws IllegalArgumentException for a negative limit or thresholds that are not ascending
   *     percentages from 1 to 100
   */
  public void setSpendingLimit(Long limitMicros, java.util.List<Integer> thresholds) {
    engine.spending().set(limitMicros, thresholds);
  }

  /**
   * Runs an ended execution (failed, timed out or cancelled) again: a new execution of the same
   * spec, in the same batch, linked to it ({@code retryOf}; the old one's {@code retriedBy}).
   * Retrying an execution whose retry already runs or succeeded returns that retry instead of
   * making another, so a repeated request never duplicates work.
   *
   * @throws dev.rgrid.spi.ConflictException when it succeeded or has not ended
   * @throws dev.rgrid.spi.NotFoundException when there is no such execution
   */
  public Execution retry(ExecutionId id) {
    return engine.retry(id);
  }

  /** Cancels an execution; {@code false} when it had already ended. */
  public boolean cancel(ExecutionId id) {
    return engine.cancel(id);
  }

  /** The runtimes scripts can ask for. */
  public RuntimeCatalog runtimes() {
    return catalog;
  }

  /** The name of the container runtime in use ({@code process}, {@code docker}). */
  public String runtimeName() {
    return engine.context().runtime().name();
  }

  /**
   * Why the container runtime in use is not the preferred one (for example: no Docker engine
   * answered, so scripts run as local processes), when RGrid chose it by itself.
   */
  public java.util.Optional<String> runtimeNotice() {
    return selected == null ? java.util.Optional.empty() : selected.notice();
  }

  /** What the container runtime in use can do (whether it isolates scripts, for one). */
  public RuntimeCapabilities runtimeCapabilities() {
    return engine.context().runtime().capabilities();
  }

  /**
   * Blocks until this instance's worker has had nothing to run for {@code grace}: used by a
   * background process that runs detached work and then exits.
   */
  public void awaitIdle(Duration grace) throws InterruptedException {
    engine.awaitIdle(grace);
  }

  /**
   * Stops taking work, waits briefly for running executions, hands the rest back to the queue, and
   * closes what the builder created.
   */
  @Override
  public void close() {
    engine.close();
    RuntimeException failure = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new dev.rgrid.spi.RGridException("closing RGrid failed: " + e.getMessage(),
              null, null, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
