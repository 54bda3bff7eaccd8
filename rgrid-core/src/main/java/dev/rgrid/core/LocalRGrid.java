package dev.rgrid.core;

import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * RGrid in this process: runs work on its own workers and answers from its store. What {@link
 * RGridBuilder} builds and {@link RGrid#local()} returns; a server wraps one, which is why it also
 * offers what only a server needs (accounts, submitting prepared specs, the blob store, change
 * notifications) and the management of this machine's cache and runtime.
 */
public final class LocalRGrid implements RGrid {
  private final Engine engine;
  private final MetadataStore store;
  private final BlobStore blobs;
  private final ContainerRuntime runtime;
  private final Clock clock;
  private final Limits limits;
  private final List<AutoCloseable> owned;
  private final RuntimeCatalog catalog;
  private final dev.rgrid.core.internal.runtime.LazyRuntime selected;
  private final Accounts accounts;

  LocalRGrid(Engine engine, MetadataStore store, BlobStore blobs, ContainerRuntime runtime,
      Clock clock, Limits limits, RuntimeCatalog catalog, List<AutoCloseable> owned,
      dev.rgrid.core.internal.runtime.LazyRuntime selected, Accounts accounts) {
    this.accounts = accounts;
    this.engine = engine;
    this.store = store;
    this.blobs = blobs;
    this.runtime = runtime;
    this.clock = clock;
    this.limits = limits;
    this.catalog = catalog;
    this.owned = List.copyOf(owned);
    this.selected = selected;
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
   * The clock every time of this instance comes from ({@link RGridBuilder#clock}), for what a
   * server times beside it: an idempotency key's window moves with the executions it names.
   */
  public Clock clock() {
    return clock;
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

  /**
   * Stores a batch of {@code account} whose inputs a remote client expands and then submits one
   * by one with {@link #submit(dev.rgrid.spi.store.ExecutionSpec, dev.rgrid.spi.BatchId)}, as a
   * server receives it. It is checked as {@link #batch} checks one (a plain script file name, a
   * known runtime, 1 to {@value BatchSpec#DEFAULT_MAX_INPUTS} inputs, the parallelism, the
   * labels), refused when the account's or the global spending limit is reached, and labelled
   * with the account ({@link dev.rgrid.spi.account.AccountId#LABEL}, replacing any given).
   *
   * @param runtime a runtime of the catalog, or {@code null} to choose by the script's suffix
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   * @throws SpendingLimitException when a spending limit is reached
   */
  public dev.rgrid.spi.store.BatchRecord createBatch(dev.rgrid.spi.account.AccountId account,
      String scriptName, String runtime, int size, int parallel,
      java.util.Map<String, String> labels) {
    java.util.Map<String, String> owned = new java.util.HashMap<>(labels);
    owned.put(dev.rgrid.spi.account.AccountId.LABEL,
        java.util.Objects.requireNonNull(account, "account").value());
    return engine.createBatch(scriptName, runtime, size, parallel, owned);
  }

  /**
   * As {@link #submit(dev.rgrid.spi.store.ExecutionSpec)}, as an execution of the stored batch
   * {@code batch}: at most the batch's parallelism of its executions run at once, whatever
   * submits them. The spec itself names no batch. Whether the caller may add to that batch is
   * the caller's to check (a server compares the account labels); each execution is checked
   * against the spending limit as it is submitted.
   *
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   * @throws InvalidRunSpecException when something in the spec is not acceptable
   */
  public Execution submit(dev.rgrid.spi.store.ExecutionSpec spec, dev.rgrid.spi.BatchId batch) {
    return engine.submit(spec, java.util.Objects.requireNonNull(batch, "batch"));
  }

  /** The limits this instance applies to runs (default timeout, maximum sizes…). */
  public Limits limits() {
    return limits;
  }

  /**
   * The blob store this instance keeps scripts, inputs and outputs in (content-addressed by
   * SHA-256), for a server that takes uploads and serves downloads.
   */
  public dev.rgrid.spi.blob.BlobStore blobStore() {
    return blobs;
  }

  @Override
  public Execution run(RunSpec spec) {
    return engine.submit(spec);
  }

  @Override
  public Batch batch(BatchSpec spec) {
    return engine.batch(spec);
  }

  @Override
  public BatchProgress batchProgress(dev.rgrid.spi.BatchId id) {
    return engine.batchProgress(id);
  }

  @Override
  public dev.rgrid.spi.store.BatchRecord batchRecord(dev.rgrid.spi.BatchId id) {
    return engine.batchRecord(id);
  }

  @Override
  public int cancelBatch(dev.rgrid.spi.BatchId id) {
    return engine.cancelBatch(id);
  }

  @Override
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
    return store.subscribeChanges(onChange);
  }

  @Override
  public java.util.Optional<ExecutionRecord> find(ExecutionId id) {
    return store.find(id);
  }

  @Override
  public Execution execution(ExecutionId id) {
    return engine.attach(id);
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    return store.list(query);
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return engine.logs(id, afterSeq, limit);
  }

  @Override
  public ExecutionRecord followLogs(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException {
    return engine.follow(id, afterSeq, consumer);
  }

  @Override
  public List<Artifact> outputs(ExecutionId id) {
    return engine.artifacts(id);
  }

  @Override
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
   * Removes every result cache entry, empty ones included (a run without output makes an entry
   * of 0 bytes, which {@code pruneCache(null, 0L)} keeps since it fits). The executions stay.
   */
  public CachePruned clearCache() {
    return engine.cache().clear();
  }

  @Override
  public CostReport costs(java.time.Instant since, java.time.Instant until, String by) {
    return engine.costs().report(since, until, by);
  }

  @Override
  public CostReport costs(String since, String until, String by) {
    dev.rgrid.core.internal.cost.DateRange range = range(since, until);
    return costs(range.since(), range.until(), by);
  }

  /**
   * What the executions of {@code account} (those a server submitted on its behalf, labelled
   * {@link dev.rgrid.spi.account.AccountId#LABEL}) that finished in [{@code since}, {@code
   * until}) cost, as {@link #costs(java.time.Instant, java.time.Instant, String)} does for all.
   * Grouped by {@code label}, the account's own label is left out.
   *
   * @throws IllegalArgumentException for an unknown grouping or an empty range
   */
  public CostReport costs(dev.rgrid.spi.account.AccountId account, java.time.Instant since,
      java.time.Instant until, String by) {
    return engine.costs().report(since, until, by, java.util.Objects.requireNonNull(account,
        "account"));
  }

  /**
   * As {@link #costs(dev.rgrid.spi.account.AccountId, java.time.Instant, java.time.Instant,
   * String)}, the range written as {@link #costs(String, String, String)} takes it.
   *
   * @throws InvalidRunSpecException for a malformed value or dates out of order
   */
  public CostReport costs(dev.rgrid.spi.account.AccountId account, String since, String until,
      String by) {
    java.util.Objects.requireNonNull(account, "account");
    dev.rgrid.core.internal.cost.DateRange range = range(since, until);
    return costs(account, range.since(), range.until(), by);
  }

  /**
   * What running a script whose content has digest {@code scriptSha256} once per input, {@code
   * inputs} times, would cost for {@code account}: as {@link #estimate(Path, String, List, Path)},
   * from the median run time of the account's own past runs of the same content, else on the
   * same runtime. For a server, whose client read the script and counted the inputs.
   *
   * @param scriptName the script's file name, whose suffix chooses the runtime when {@code
   *     runtime} is null or blank
   * @throws InvalidRunSpecException for an unknown runtime
   * @throws IllegalArgumentException for a malformed digest or fewer than one input
   */
  public Estimate estimate(dev.rgrid.spi.account.AccountId account, String scriptSha256,
      String scriptName, String runtime, int inputs) {
    java.util.Objects.requireNonNull(account, "account");
    if (scriptSha256 == null || !scriptSha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a SHA-256 digest (64 lowercase hex digits)");
    }
    if (scriptName == null || scriptName.isBlank()) {
      throw new IllegalArgumentException("the script's name is required");
    }
    if (inputs < 1) {
      throw new IllegalArgumentException("inputs must be at least 1, was " + inputs);
    }
    return engine.estimates().estimate(new dev.rgrid.core.internal.cost.Estimates.Subject(
        scriptName, scriptSha256, inputs), runtime, account);
  }

  /** This month's spending of {@code account} and its own monthly limit, if it set one. */
  public SpendingStatus spending(dev.rgrid.spi.account.AccountId account) {
    return engine.spending().status(java.util.Objects.requireNonNull(account, "account"));
  }

  /**
   * Sets {@code account}'s own monthly spending limit, as {@link #setSpendingLimit(Long, List)}
   * sets the global one; {@code null} removes it. Its executions are refused once either its
   * own limit or the global one is reached; its alerts are raised apart from the global ones.
   *
   * @throws IllegalArgumentException for a negative limit or thresholds that are not ascending
   *     percentages from 1 to 100
   */
  public void setSpendingLimit(dev.rgrid.spi.account.AccountId account, Long limitMicros,
      List<Integer> thresholds) {
    engine.spending().set(java.util.Objects.requireNonNull(account, "account"), limitMicros,
        thresholds);
  }

  private dev.rgrid.core.internal.cost.DateRange range(String since, String until) {
    try {
      return dev.rgrid.core.internal.cost.DateRange.parse(since, until,
          clock);
    } catch (dev.rgrid.core.internal.cost.CostException e) {
      throw new InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
    }
  }

  @Override
  public Estimate estimate(Path script, String runtime, List<String> globs, Path baseDirectory) {
    return engine.estimates().estimate(script, runtime, globs, baseDirectory);
  }

  @Override
  public SpendingStatus spending() {
    return engine.spending().status();
  }

  @Override
  public void setSpendingLimit(Long limitMicros, java.util.List<Integer> thresholds) {
    engine.spending().set(limitMicros, thresholds);
  }

  @Override
  public Execution retry(ExecutionId id) {
    return engine.retry(id);
  }

  @Override
  public boolean cancel(ExecutionId id) {
    return engine.cancel(id);
  }

  @Override
  public RuntimeCatalog runtimes() {
    return catalog;
  }

  /** The name of the container runtime in use ({@code process}, {@code docker}). */
  public String runtimeName() {
    return runtime.name();
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
    return runtime.capabilities();
  }

  /**
   * The workers alive on this instance's queue (their heartbeat has not lapsed), its own included
   * when it runs work: none means work submitted here waits until a worker starts.
   */
  public List<dev.rgrid.spi.WorkerId> liveWorkers() {
    return engine.liveWorkers();
  }

  /**
   * How many queued executions no live worker holds or reserves: submitted without workers, or
   * left behind by a process that died once its lease lapsed. An instance that does not adopt
   * work ({@link RGridBuilder#adoptsWork}) hands these to one that does.
   */
  public long unownedWork() {
    return engine.unownedWork();
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
