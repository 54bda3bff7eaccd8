package dev.rgrid.core.internal.engine;

import dev.rgrid.core.AccountView.Retried;
import dev.rgrid.core.Execution;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.alert.AlertEvents;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.Secrets;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.cost.CostReports;
import dev.rgrid.core.internal.cost.CostServices;
import dev.rgrid.core.internal.cost.Estimates;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.execution.LocalState;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.internal.submit.ManualRetries;
import dev.rgrid.core.internal.submit.Submitter;
import dev.rgrid.core.internal.worker.WorkerPool;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.MetadataStore;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The engine behind the public {@code RGrid} API: submission, handles, retries, cancellation
 * and the in-process worker pool; what executions produced is read through {@link #outputs()}.
 * Not part of the public API.
 */
public final class Engine implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Engine.class);

  private final SecretVault secrets;
  private final MetadataStore store;
  private final ExecutionQueue queue;
  private final Clock clock;
  private final LocalState local;
  private final ResultCache cache;
  private final Submitter submitter;
  private final ManualRetries retries;
  private final CostServices costs;
  private final ExecutionOutputs outputs;
  private final WorkerPool pool;
  private final Batches batches;
  private final EngineMetrics metrics;
  private final AlertEvents alerts;

  /**
   * The engine over the executions in {@code store} and the work on {@code queue}, submitting
   * through {@code submitter} and {@code retries}, batches resolved in {@code catalog}; {@code
   * local} holds what is submitted or running in this process. It starts {@code pool}: null
   * when this instance only submits, leaving the work to other workers (it then has no affinity).
   */
  public Engine(MetadataStore store, ExecutionQueue queue, RuntimeCatalog catalog, Clock clock,
      LocalState local, ResultCache cache, Submitter submitter, ManualRetries retries,
      CostServices costs, Downloader downloader, WorkerPool pool, SecretVault secrets,
      EngineMetrics metrics, AlertEvents alerts) {
    this.alerts = alerts;
    this.secrets = secrets;
    this.metrics = metrics;
    this.store = store;
    this.queue = queue;
    this.clock = clock;
    this.local = local;
    this.cache = cache;
    this.submitter = submitter;
    this.retries = retries;
    this.costs = costs;
    this.outputs = new ExecutionOutputs(store, downloader);
    this.pool = pool;
    this.batches = new Batches(this, store, catalog, clock);
    if (pool != null) {
      pool.start();
    }
  }

  /** The secrets of {@code scope} ({@code ""}: the installation's own, else an account id). */
  public Secrets secrets(String scope) {
    return secrets.secrets(scope);
  }

  /** The vault of secrets, and of webhooks' signing secrets. */
  public SecretVault vault() {
    return secrets;
  }

  /** Where this instance offers the alerts that go to webhooks. */
  public AlertEvents alerts() {
    return alerts;
  }

  /** The rules every run submitted here is checked against. */
  SpecRules specRules() {
    return submitter.rules();
  }

  /** Whether this instance runs work itself (else other workers run what it submits). */
  boolean runsWork() {
    return pool != null;
  }

  /** The spending limit. */
  public Spending spending() {
    return costs.spending();
  }

  /** Estimates from history. */
  public Estimates estimates() {
    return costs.estimates();
  }

  /** Cost reports. */
  public CostReports costs() {
    return costs.reports();
  }

  /** The result cache. */
  public ResultCache cache() {
    return cache;
  }

  /** What this instance counts (garbage collection, say, reports its runs here). */
  public EngineMetrics metrics() {
    return metrics;
  }

  /** Submits a run and returns its handle. */
  public Execution submit(RunSpec run) {
    return submit(run, null, 0, true);
  }

  /** Submits a spec prepared elsewhere, whose blobs are stored (see {@code RGrid.submit}). */
  public Execution submit(ExecutionSpec spec) {
    return submit(submitter.prepare(spec), ExecutionListener.NONE, null, 0, true);
  }

  /**
   * Submits a run, as part of batch {@code batchId} (or none) whose executions run at most
   * {@code parallel} at once; {@code checkLimit} false when the caller checked the spending limit
   * for the whole batch.
   */
  Execution submit(RunSpec run, String batchId, int parallel, boolean checkLimit) {
    return submit(submitter.prepare(run, batchId), run.listener(), run.stdin(), parallel,
        checkLimit);
  }

  private Execution submit(ExecutionRecord record, ExecutionListener listener,
      InputStream stdin, int parallel, boolean checkLimit) {
    long t0 = System.nanoTime();
    Optional<ExecutionRecord> hit = cache.hit(record);
    if (hit.isPresent()) {
      LOG.debug("{} cache hit recorded in {} µs", record.id(), (System.nanoTime() - t0) / 1000);
      LocalState.Submitted submitted = local.register(record.id(), listener, null);
      cache.replay(hit.get(), listener);
      local.publish(hit.get());
      return new LocalExecution(this, store, record.id(), submitted.done());
    }
    if (checkLimit) {
      // Cache hits cost nothing: only runs are refused at the limit. A run of a batch was
      // estimated with its batch (one history scan per batch, not per input).
      ExecutionSpec spec = record.spec();
      Optional<AccountId> account = Spending.accountOf(spec.labels());
      if (spec.batchId() == null) {
        spending().checkBeforeRun(account, () -> estimates().ofSameScript(new EstimateSubject(
            spec.scriptName(), spec.script().sha256(), 1), spec.runtime(),
            account.orElse(null)));
      } else {
        spending().checkBeforeRun(account);
      }
    }
    if (pool == null && stdin != null) {
      throw new InvalidRunSpecException("standard input cannot reach a run that "
          + "another worker runs", "pass the data as an input file, or run it in this process "
          + "(local workers)");
    }
    LocalState.Submitted submitted = local.register(record.id(), listener, stdin);
    WorkerId affinity = pool == null ? null : pool.workerId();
    ExecutionRecord stored;
    try {
      stored = submitter.enqueue(record, affinity, parallel);
    } catch (RuntimeException e) {
      local.forget(record.id());
      throw e;
    }
    local.publish(stored); // a child whose parent had failed is stored SKIPPED: that ends it
    if (pool != null) {
      pool.wake();
    } else if (checkLimit && listener != ExecutionListener.NONE) {
      // Someone listens (a batch says it once for all its inputs, see Batches).
      noWorkerNotice(record.id().toString()).ifPresent(listener::onNotice);
    }
    return new LocalExecution(this, store, record.id(), submitted.done());
  }

  /** The workers alive on the queue now, this instance's own included while it has a pool. */
  public List<WorkerId> liveWorkers() {
    return queue.liveWorkers(clock.instant());
  }

  /** The live workers now, with their last heartbeat and what each runs. */
  public List<dev.rgrid.spi.queue.WorkerStatus> workers() {
    return queue.workers(clock.instant());
  }

  /** The queue's entries by state now. */
  public dev.rgrid.spi.queue.QueueDepth queueDepth() {
    return queue.depthByState(clock.instant());
  }

  /**
   * What to tell the user when this instance only submits and no worker is alive to run {@code
   * what}: else it would wait in silence.
   */
  Optional<String> noWorkerNotice(String what) {
    if (pool != null || !liveWorkers().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("no worker is alive to run " + what + ": it waits in the queue until one "
        + "starts (`rgrid worker`), or give this RGrid local workers");
  }

  /**
   * Runs an ended execution again, as a new execution linked to it; a retry already made that
   * runs or succeeded is returned instead of making another.
   */
  public Execution retry(ExecutionId id) {
    return retried(id).execution();
  }

  /** As {@link #retry}, telling whether this call made the retry or found it made before. */
  public Retried retried(ExecutionId id) {
    // The retry runs for the original's account: its limit applies. (An unknown id is left to
    // ManualRetries, which says it is not found.)
    spending().checkBeforeRun(store.find(id)
        .flatMap(r -> Spending.accountOf(r.spec().labels())));
    ManualRetries.Outcome outcome = retries.retry(id);
    if (outcome.existing() != null) {
      return new Retried(attach(outcome.existing()), false);
    }
    ExecutionRecord record = outcome.created();
    LocalState.Submitted submitted = local.register(record.id(), ExecutionListener.NONE, null);
    try {
      submitter.queue(record, pool == null ? null : pool.workerId(), batchParallel(record));
    } catch (RuntimeException e) {
      local.forget(record.id());
      throw e;
    }
    if (pool != null) {
      pool.wake();
    }
    return new Retried(new LocalExecution(this, store, record.id(), submitted.done()), true);
  }

  private int batchParallel(ExecutionRecord record) {
    String batch = record.spec().batchId();
    if (batch == null || !BatchId.isBatchId(batch)) {
      return 0;
    }
    return store.findBatch(BatchId.of(batch))
        .map(b -> Batches.capNeeded(b.size(), b.parallel())).orElse(0);
  }

  /** A handle on an existing execution. */
  public Execution attach(ExecutionId id) {
    store.get(id);
    LocalState.Submitted s = local.submitted(id);
    return new LocalExecution(this, store, id, s == null ? null : s.done());
  }

  /** Cancels an execution; {@code false} when it had already ended. */
  public boolean cancel(ExecutionId id) {
    while (true) {
      ExecutionRecord current = store.get(id);
      try {
        switch (current.status()) {
          case QUEUED, WAITING -> {
            // Ending a waiting run skips the runs that wait for it, in the same transaction.
            ExecutionRecord done = store.update(id, Set.of(current.status()),
                r -> r.toBuilder().failure(new FailureReason(FailureKind.CANCELLED,
                    "cancelled before it started", null))
                    .transition(ExecutionStatus.CANCELLED, clock.instant()).build());
            queue.remove(id);
            local.publish(done);
            return true;
          }
          case RUNNING -> {
            store.update(id, Set.of(ExecutionStatus.RUNNING),
                r -> r.toBuilder().cancelRequested(true).build());
            LocalState.Running running = local.running(id);
            if (running != null) {
              running.cancel();
            }
            return true;
          }
          default -> {
            return false;
          }
        }
      } catch (ConflictException e) {
        // Its status changed under us (started or ended): look again.
      }
    }
  }

  /** Leaves the listener of {@code id} to a follower of its log (see {@link LocalState#handOver}). */
  public void handOverListener(ExecutionId id) {
    local.handOver(id);
  }

  /**
   * Tells this instance's listeners and waiting handles of an end that no local event announces:
   * one recorded by another process (a queued execution cancelled there, a run by another
   * worker). An execution this instance is running is left to its runner, which announces its
   * end once the cache entry and the spending are recorded: then this answers false.
   */
  boolean endedElsewhere(ExecutionRecord record) {
    if (record.status().isTerminal() && local.running(record.id()) == null) {
      local.publish(record);
      return true;
    }
    return false;
  }

  /** What executions produced: their logs and output files. */
  public ExecutionOutputs outputs() {
    return outputs;
  }

  /** The batches: submitting, storing, progress, cancelling and retrying them. */
  public Batches batches() {
    return batches;
  }

  /**
   * Submits a spec prepared elsewhere as an execution of stored batch {@code batch}, run at
   * most the batch's parallelism at once. Each is checked against the spending limit, as any
   * execution submitted from outside is.
   */
  public Execution submit(ExecutionSpec spec, BatchId batch) {
    int parallel = batches.find(batch).parallel();
    return submit(submitter.prepare(spec, batch.value()), ExecutionListener.NONE, null, parallel,
        true);
  }

  /**
   * As {@link #submit(ExecutionSpec, BatchId)}, stored under {@code id}: a fan-out template's,
   * one per batch, so a second submission conflicts in the store. The spec waits for a parent.
   */
  Execution submitAs(ExecutionSpec spec, BatchId batch, ExecutionId id) {
    ExecutionRecord prepared = submitter.prepare(spec, batch.value());
    return submit(ExecutionRecord.waiting(id, prepared.spec(), prepared.createdAt()),
        ExecutionListener.NONE, null, 0, true);
  }

  /** How many queued executions no live worker holds or reserves now. */
  public long unownedWork() {
    return queue.unowned(clock.instant());
  }

  /** Blocks until the worker pool has had nothing to do for {@code grace}. */
  public void awaitIdle(Duration grace) throws InterruptedException {
    if (pool != null) {
      pool.awaitIdle(grace);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
