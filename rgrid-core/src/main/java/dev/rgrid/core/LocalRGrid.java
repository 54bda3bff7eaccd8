package dev.rgrid.core;

import dev.rgrid.core.internal.account.LocalAccountView;
import dev.rgrid.core.internal.alert.AlertSettings;
import dev.rgrid.core.internal.alert.WebhookDelivery;
import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.core.internal.gc.EnvironmentCollection;
import dev.rgrid.core.internal.gc.GarbageCollector;
import dev.rgrid.core.internal.gc.GcSchedule;
import dev.rgrid.core.internal.runtime.EnvironmentLeases;
import dev.rgrid.core.internal.runtime.LazyRuntime;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * RGrid in this process: runs work on its own workers and answers from its store. What {@link
 * RGridBuilder} builds and {@link RGrid#local()} returns; a server wraps one, which is why it also
 * offers what only a server needs (accounts, the blob store, change notifications, and per
 * account an {@link AccountView}) and the management of this machine's cache and runtime.
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
  private final LazyRuntime selected;
  private final Accounts accounts;
  private final Placement.Mode mode;
  private final int slots;
  private final GarbageCollector gc;
  private GcSchedule gcSchedule;
  private final WebhookDelivery delivery;
  private final Operations operations;

  LocalRGrid(Engine engine, MetadataStore store, BlobStore blobs, ContainerRuntime runtime,
      Clock clock, Limits limits, RuntimeCatalog catalog, List<AutoCloseable> owned,
      LazyRuntime selected, Accounts accounts, Placement.Mode mode, int slots,
      GcSettings gcSettings, Path environmentsDir) {
    this.gc = new GarbageCollector(store, blobs, clock, gcSettings, engine.metrics()::gcRun,
        new EnvironmentCollection(runtime, environmentsDir,
            new EnvironmentLeases(environmentsDir, clock)));
    this.accounts = accounts;
    this.mode = mode;
    this.slots = slots;
    this.engine = engine;
    this.store = store;
    this.blobs = blobs;
    this.runtime = runtime;
    this.clock = clock;
    this.limits = limits;
    this.catalog = catalog;
    this.owned = List.copyOf(owned);
    this.selected = selected;
    this.delivery = new WebhookDelivery(store, engine.vault(), clock, AlertSettings.DEFAULTS);
    this.operations = new Operations(engine, new Webhooks(store, engine.vault()), delivery);
    engine.alerts().onOffer(delivery::wake);
    if (slots > 0) {
      delivery.start(); // an instance that runs work posts the alerts of what it runs
    }
  }

  /**
   * The installation as an operator sees it, over every account: workers, the queue by state,
   * unowned work, webhooks and the delivery of alerts.
   */
  public Operations operations() {
    return operations;
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
   * What {@code account} may do here, scoped to it: submit prepared specs and batches, its
   * executions, batches, costs, estimates and spending limit, as a server does on its behalf.
   * Another account's executions and batches are not found through it.
   */
  public AccountView account(AccountId account) {
    return new LocalAccountView(engine, store, catalog, clock,
        account);
  }

  /** The limits this instance applies to runs (default timeout, maximum sizes…). */
  public Limits limits() {
    return limits;
  }

  /**
   * The registry this instance counts into ({@link RGridBuilder#meterRegistry}), if one was given:
   * a server serves it on {@code /metrics}.
   */
  public java.util.Optional<io.micrometer.core.instrument.MeterRegistry> meterRegistry() {
    return engine.metrics().registry();
  }

  /**
   * The blob store this instance keeps scripts, inputs and outputs in (content-addressed by
   * SHA-256), for a server that takes uploads and serves downloads.
   */
  public BlobStore blobStore() {
    return blobs;
  }

  @Override
  public Execution run(RunSpec spec) {
    Execution submitted = engine.submit(spec);
    if (slots > 0 || submitted.record().cached()) {
      return submitted; // its listener hears this process's workers, or heard the reused result
    }
    if (spec.listener() != null && FollowedExecution.hearsRuns(spec.listener())) {
      engine.handOverListener(submitted.id()); // the follower tells it the rest, the end last
    }
    return FollowedExecution.of(submitted, spec.listener(), this::followLogs);
  }

  @Override
  public Batch batch(BatchSpec spec) {
    return engine.batches().submit(spec);
  }

  @Override
  public BatchProgress batchProgress(BatchId id) {
    return engine.batches().progress(id);
  }

  @Override
  public List<BatchListing> batches(BatchId before, int limit) {
    return engine.batches().list(Map.of(), before, limit);
  }

  @Override
  public BatchRecord batchRecord(BatchId id) {
    return engine.batches().find(id);
  }

  @Override
  public int cancelBatch(BatchId id) {
    return engine.batches().cancel(id);
  }

  @Override
  public List<Execution> retryBatch(BatchId id, boolean failedOnly) {
    return engine.batches().retry(id, failedOnly);
  }

  /**
   * Calls {@code onChange} with an execution's id soon after its log lines or record change, in
   * any process sharing the store (with {@code null}: look at everything again); see {@link
   * dev.rgrid.spi.store.MetadataStore#subscribeChanges}. Stores that cannot notify never call, so
   * a follower polls as well.
   *
   * @return a handle that stops the calls
   */
  public AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    return store.subscribeChanges(onChange);
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
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
    return engine.outputs().logs(id, afterSeq, limit);
  }

  @Override
  public ExecutionRecord followLogs(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException {
    return engine.outputs().follow(id, afterSeq, consumer);
  }

  @Override
  public List<Artifact> outputs(ExecutionId id) {
    return engine.outputs().artifacts(id);
  }

  @Override
  public List<Path> download(ExecutionId id, Path directory) {
    return engine.outputs().download(id, directory);
  }

  @Override
  public GcReport gc(GcRequest request) {
    return gc.collect(request);
  }

  /**
   * Starts collecting garbage on this instance's schedule ({@link GcSettings#interval()}; nothing
   * when it is off), in one process at a time across every host sharing the state: what a server
   * and a worker do. It stops when this instance closes; calling again does nothing.
   */
  public synchronized void scheduleGc() {
    if (gcSchedule == null && gc.settings().interval() != null) {
      gcSchedule = new GcSchedule(gc, store, gc.settings().interval());
    }
  }

  /** How long ended executions are kept and how often this host collects garbage. */
  public GcSettings gcSettings() {
    return gc.settings();
  }

  @Override
  public Secrets secrets() {
    return engine.secrets(dev.rgrid.spi.store.LimitSetting.GLOBAL);
  }

  @Override
  public CachedResults cache() {
    return new CachedResults() {
      @Override
      public List<CacheEntry> entries(int limit) {
        if (limit < 1) {
          throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return engine.cache().entries(limit);
      }

      @Override
      public CachePruned prune(Duration olderThan, Long maxBytes) {
        if (olderThan != null && olderThan.isNegative()) {
          throw new IllegalArgumentException("olderThan must not be negative");
        }
        if (maxBytes != null && maxBytes < 0) {
          throw new IllegalArgumentException("maxBytes must not be negative");
        }
        return engine.cache().prune(olderThan, maxBytes);
      }

      @Override
      public CachePruned clear() {
        return engine.cache().clear();
      }
    };
  }

  @Override
  public CostReport costs(Instant since, Instant until, String by) {
    return engine.costs().report(since, until, by);
  }

  @Override
  public CostReport costs(String since, String until, String by) {
    return engine.costs().report(since, until, by, clock, null);
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
  public void setSpendingLimit(Long limitMicros, List<Integer> thresholds) {
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

  @Override
  public Placement placement() {
    // Embedded work runs on this machine even without workers here: an agent beside it runs it.
    Optional<Placement.LocalRuntime> local = slots == 0 && mode != Placement.Mode.EMBEDDED
        ? Optional.empty()
        : Optional.of(new Placement.LocalRuntime(runtime.name(), runtime.capabilities().isolates(),
            selected == null ? Optional.empty() : selected.notice()));
    return new Placement(mode, local, OptionalInt.of(engine.liveWorkers().size()));
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
    synchronized (this) {
      if (gcSchedule != null) {
        gcSchedule.close(); // before the store it collects closes
      }
    }
    delivery.close(); // undelivered alerts wait in the outbox for the next deliverer
    engine.close();
    RuntimeException failure = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new RGridException("closing RGrid failed: " + e.getMessage(),
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
