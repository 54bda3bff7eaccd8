package dev.rgrid.core.internal.wiring;

import dev.rgrid.core.Limits;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.SpendingAlert;
import dev.rgrid.core.internal.alert.AlertEvents;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.cost.CostReports;
import dev.rgrid.core.internal.cost.CostServices;
import dev.rgrid.core.internal.cost.Estimates;
import dev.rgrid.core.internal.cost.HourlyBilling;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.cost.WorkerPrice;
import dev.rgrid.core.internal.engine.Downloader;
import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.core.internal.execution.AttemptRecords;
import dev.rgrid.core.internal.execution.ContainerRun;
import dev.rgrid.core.internal.execution.ExecutionRunner;
import dev.rgrid.core.internal.execution.FanOutExpansion;
import dev.rgrid.core.internal.execution.ParentInputs;
import dev.rgrid.core.internal.execution.Failures;
import dev.rgrid.core.internal.execution.LocalState;
import dev.rgrid.core.internal.execution.LostAttempts;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.core.internal.metrics.StateGauges;
import dev.rgrid.core.internal.runtime.EnvironmentLeases;
import dev.rgrid.core.internal.runtime.Environments;
import dev.rgrid.core.internal.secret.MasterKeys;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.internal.submit.ManualRetries;
import dev.rgrid.core.internal.submit.Submitter;
import dev.rgrid.core.internal.worker.WorkerPool;
import dev.rgrid.core.internal.worker.WorkerSettings;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The composition root: builds the engine's object graph from the backends and settings {@code
 * RGridBuilder} resolved. The only place that knows every part; each part is given only the
 * collaborators it uses, through its constructor.
 */
public final class EngineWiring {
  /**
   * The settings the engine is built with.
   *
   * @param worker how this instance's worker takes and holds work (0 slots: it only submits)
   * @param limits limits per execution
   * @param maxAttempts how many times a run lost with its worker is started, in all
   * @param workRoot where per-execution working directories are made
   * @param packageIndex where Python packages are installed from
   * @param cacheDir where environments (and their locks) are kept on this machine
   * @param hourlyMicros what an hour of this worker costs, in micros; each execution it runs
   *     costs its run time at this price (see {@link dev.rgrid.core.internal.cost.Costs})
   * @param billedPerStartedHour whether the worker is billed per started hour, each hour's price
   *     then split over the executions that ran in it once it closes (see {@link HourlyBilling})
   * @param secretKeys the master keys secrets are encrypted under
   */
  public record Settings(WorkerSettings worker, Limits limits, int maxAttempts, Path workRoot,
      PackageIndex packageIndex, Path cacheDir, long hourlyMicros,
      boolean billedPerStartedHour, MasterKeys secretKeys) {
    /** Checks that none is missing. */
    public Settings {
      Objects.requireNonNull(worker, "worker");
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(workRoot, "workRoot");
      Objects.requireNonNull(packageIndex, "packageIndex");
      Objects.requireNonNull(cacheDir, "cacheDir");
      Objects.requireNonNull(secretKeys, "secretKeys");
    }
  }

  private final MetadataStore store;
  private final ExecutionQueue queue;
  private final BlobStore blobs;
  private final ContainerRuntime runtime;
  private final RuntimeCatalog catalog;
  private final Clock clock;
  private final Settings settings;
  private final EngineMetrics metrics;

  private EngineWiring(MetadataStore store, ExecutionQueue queue, BlobStore blobs,
      ContainerRuntime runtime, RuntimeCatalog catalog, Clock clock, Settings settings,
      EngineMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * The engine over {@code store}, {@code queue}, {@code blobs} and {@code runtime}, its worker
   * pool (when it has slots) started; {@code alerts} hears when this month's spending crosses a
   * threshold of the limit; everything it counts goes to {@code metrics}.
   */
  public static Engine engine(MetadataStore store, ExecutionQueue queue, BlobStore blobs,
      ContainerRuntime runtime, RuntimeCatalog catalog, Clock clock, Settings settings,
      Consumer<SpendingAlert> alerts, EngineMetrics metrics) {
    return new EngineWiring(store, queue, blobs, runtime, catalog, clock, settings, metrics)
        .engine(alerts);
  }

  private Engine engine(Consumer<SpendingAlert> alerts) {
    WorkerPrice price = new WorkerPrice(settings.worker().id(), settings.hourlyMicros());
    LocalState local = new LocalState();
    AlertEvents webhooks = new AlertEvents(store, clock);
    Spending spending = new Spending(store, clock, alerts, webhooks);
    CostServices costs = new CostServices(spending,
        new Estimates(store, catalog, price.hourlyMicros()), new CostReports(store));
    SecretVault secrets = new SecretVault(store, settings.secretKeys(), clock, new SecureRandom());
    ResultCache cache = new ResultCache(store, blobs, runtime, catalog, clock, secrets, metrics);
    StateGauges.register(metrics, queue, () -> spending.status().spentMicros(), clock);
    boolean runsWork = settings.worker().slots() > 0;
    // An instance that runs its work refuses runs its runtime cannot give the CPUs they ask for;
    // one that only submits leaves them to workers of unknown size: the configured ceiling only.
    SpecRules rules = runsWork ? new SpecRules(settings.limits(), runtime)
        : new SpecRules(settings.limits());
    Submitter submitter = new Submitter(store, queue, blobs, catalog, clock,
        settings.worker().lease(), cache, rules, secrets);
    ManualRetries retries = new ManualRetries(store, clock, cache, rules);
    WorkerPool pool = runsWork
        ? workerPool(local, cache, spending, costs.estimates(), price, secrets, webhooks) : null;
    return new Engine(store, queue, catalog, clock, local, cache, submitter, retries, costs,
        new Downloader(blobs), pool, secrets, metrics, webhooks);
  }

  /** The worker that runs what this instance claims, and everything its runs are recorded by. */
  private WorkerPool workerPool(LocalState local, ResultCache cache, Spending spending,
      Estimates estimates, WorkerPrice price, SecretVault secrets, AlertEvents webhooks) {
    Limits limits = settings.limits();
    HourlyBilling billing = settings.billedPerStartedHour()
        ? new HourlyBilling(store, price, clock.instant()) : null;
    AttemptRecords records = new AttemptRecords(store, clock, price, local, cache, spending,
        billing, metrics, webhooks);
    Environments environments = new Environments(runtime, settings.packageIndex(),
        settings.cacheDir(), metrics, new EnvironmentLeases(settings.cacheDir(), clock));
    metrics.gauge("executions.running", "Executions this worker is running",
        () -> local.allRunning().size(), "worker", price.worker().value());
    ContainerRun containers = new ContainerRun(store, blobs, runtime, catalog, environments, clock,
        limits, price.worker(), settings.workRoot(), local, records, secrets);
    LostAttempts lostAttempts = new LostAttempts(store, runtime, clock, limits, secrets);
    ExecutionRunner runner = new ExecutionRunner(store, queue, clock, price.worker(),
        settings.maxAttempts(), local, records, containers,
        new Failures(store, clock, local, price), lostAttempts,
        new ParentInputs(store, cache, records, clock, local),
        new FanOutExpansion(store, queue, records, clock, (template, runs) -> {
          // As a batch is checked at submission: its runs of one script, estimated together.
          Optional<AccountId> account = Spending.accountOf(template.labels());
          spending.checkBeforeRun(account, () -> estimates.ofSameScript(new EstimateSubject(
              template.scriptName(), template.script().sha256(), runs), template.runtime(),
              account.orElse(null)));
        }));
    return new WorkerPool(queue, clock, local, runner, lostAttempts, billing, settings.worker(),
        metrics);
  }
}
