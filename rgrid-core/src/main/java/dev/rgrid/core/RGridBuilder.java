package dev.rgrid.core;

import dev.rgrid.core.internal.config.PackageIndexConfig;
import dev.rgrid.core.internal.config.SharedStates;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.core.internal.metrics.MeteredBlobStore;
import dev.rgrid.core.internal.runtime.LazyRuntime;
import dev.rgrid.core.internal.runtime.RuntimeSelector;
import dev.rgrid.core.internal.secret.MasterKeys;
import dev.rgrid.core.internal.wiring.EngineWiring;
import dev.rgrid.core.internal.worker.LocalWorkerIds;
import dev.rgrid.core.internal.worker.WorkerSettings;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires an {@link RGrid}. Every collaborator left unset comes from the {@link Config} (given with
 * {@link #config}, else {@link Config#fromEnvironment()}): shared state when it names some, else
 * the embedded default under {@link #home(Path)}: a SQLite store and queue ({@code rgrid.db}), a
 * file blob store ({@code blobs/}) and the local process runtime. Settings given to the builder
 * win over the configuration's. Collaborators passed in stay the caller's to close; those the
 * builder creates are closed with the {@code RGrid}.
 */
public final class RGridBuilder {
  private Path home;
  private MetadataStore store;
  private ExecutionQueue queue;
  private BlobStore blobs;
  private ContainerRuntime runtime;
  private String engine;
  private RuntimeCatalog catalog = RuntimeCatalog.defaults();
  private Clock clock = Clock.systemUTC();
  private WorkerId workerId;
  private Limits limits = Limits.defaults();
  private Integer workers;
  private Duration lease = Duration.ofSeconds(30);
  private Duration pollInterval = Duration.ofMillis(500);
  private int maxAttempts = 3;
  private Duration closeGrace = Duration.ofSeconds(10);
  private boolean adoptsWork = true;
  private PackageIndex packageIndex;
  private String pipIndexUrl;
  private List<Path> pipFindLinks = List.of();
  private boolean pipNoIndex;
  private Long hourlyMicros;
  private Boolean perStartedHour;
  private String stateUrl;
  private Path configFile;
  private Config config;
  private dev.rgrid.spi.account.AccountStore accounts;
  private String stateUser;
  private String statePassword;
  private Path blobsDirectory;
  private java.util.function.Consumer<SpendingAlert> spendingAlerts = alert -> { };
  private GcSettings gc;
  private io.micrometer.core.instrument.MeterRegistry meterRegistry;

  RGridBuilder() {}

  /** The state directory: {@code RGRID_HOME}, else {@code ~/.rgrid} (see {@link Config}). */
  public static Path defaultHome() {
    return Config.defaultHome();
  }

  /**
   * Takes every setting not given to this builder from {@code value} instead of the environment
   * and configuration file ({@link Config#fromEnvironment()}, the default).
   */
  public RGridBuilder config(Config value) {
    config = java.util.Objects.requireNonNull(value, "config");
    return this;
  }

  /** Where embedded state lives (default: the configuration's {@link Config#home()}). */
  public RGridBuilder home(Path value) {
    home = value;
    return this;
  }

  /** The metadata store. */
  public RGridBuilder store(MetadataStore value) {
    store = value;
    return this;
  }

  /** The execution queue. */
  public RGridBuilder queue(ExecutionQueue value) {
    queue = value;
    return this;
  }

  /** The blob store. */
  public RGridBuilder blobs(BlobStore value) {
    blobs = value;
    return this;
  }

  /** The container runtime. */
  public RGridBuilder runtime(ContainerRuntime value) {
    runtime = value;
    return this;
  }

  /**
   * Which container runtime to create when none is given with {@link #runtime}: {@code auto} (the
   * default: Docker when its engine answers, else local processes), {@code docker} (fail if it does
   * not answer) or {@code process}. Default: the configuration's {@link Config#runtime()}
   * ({@code RGRID_RUNTIME}).
   */
  public RGridBuilder engine(String value) {
    engine = value;
    return this;
  }

  /** The runtime catalog (default {@link RuntimeCatalog#defaults()}). */
  public RGridBuilder catalog(RuntimeCatalog value) {
    catalog = value;
    return this;
  }

  /** The clock every time comes from (default the system UTC clock). */
  public RGridBuilder clock(Clock value) {
    clock = value;
    return this;
  }

  /** This instance's worker id (default: host, process id and a random suffix). */
  public RGridBuilder workerId(WorkerId value) {
    workerId = value;
    return this;
  }

  /** Limits per execution (default {@link Limits#defaults()}). */
  public RGridBuilder limits(Limits value) {
    limits = value;
    return this;
  }

  /**
   * How many executions this instance runs at once. 0 makes it submit only: its work then goes to
   * whichever worker claims it. Default: the configuration's {@link Config#localWorkers()}
   * ({@code RGRID_LOCAL_WORKERS}), else 0 when this instance opens shared state from a URL (a
   * client of shared infrastructure leaves the work to the cluster's workers), else the number of
   * CPUs, at least 2.
   */
  public RGridBuilder workers(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("workers must be >= 0, was " + value);
    }
    workers = value;
    return this;
  }

  /** How long a claim lives without a heartbeat (default 30 s). */
  public RGridBuilder lease(Duration value) {
    lease = value;
    return this;
  }

  /** How often an idle worker looks for work it was not told about (default 500 ms). */
  public RGridBuilder pollInterval(Duration value) {
    pollInterval = value;
    return this;
  }

  /** How many attempts a run lost with its worker gets in all (default 3). */
  public RGridBuilder maxAttempts(int value) {
    maxAttempts = value;
    return this;
  }

  /**
   * Whether this instance's workers also run work that is not theirs: submitted by an instance
   * without workers, or left behind by one that died (default {@code true}). A short-lived process
   * sets {@code false}: it runs only what it submits, never adopting a run it might not see
   * through, and hands the rest to a long-lived one (see {@link Operations#unownedWork()}).
   */
  public RGridBuilder adoptsWork(boolean value) {
    adoptsWork = value;
    return this;
  }

  /** How long {@link RGrid#close()} waits for running executions (default 10 s). */
  public RGridBuilder closeGrace(Duration value) {
    closeGrace = value;
    return this;
  }

  /**
   * Where Python packages are installed from. Default: the {@code RGRID_PIP_*} environment
   * variables, else the {@code pip.*} keys of {@code config.properties} in the state directory,
   * else pip's own default index (see the operator guide).
   */
  public RGridBuilder packageIndex(PackageIndex value) {
    packageIndex = value;
    return this;
  }

  /**
   * What an hour of this machine costs, in micros (1 EUR = 1,000,000): each execution it runs
   * costs its run time at this price, rounded up to the micro. Default: {@code price.local} in
   * the state directory's {@code config.properties}, else 0 (a machine already paid for).
   */
  public RGridBuilder hourlyPrice(long micros) {
    if (micros < 0) {
      throw new IllegalArgumentException("an hourly price cannot be negative");
    }
    hourlyMicros = micros;
    return this;
  }

  /**
   * Keeps executions and the queue in shared state at {@code url} (e.g. {@code
   * jdbc:postgresql://db:5432/rgrid}), opened by the {@link dev.rgrid.spi.store.SharedStateProvider}
   * on the class path that accepts it, so that workers on many machines share them. Default:
   * {@code RGRID_DB_URL} ({@code RGRID_DB_USER}, {@code RGRID_DB_PASSWORD}), else {@code
   * store.url} ({@code store.user}, {@code store.password}) in {@code config.properties}, else the
   * embedded database in the state directory. A {@code null} user or password is taken from
   * there too (keep passwords off command lines). Ignored when {@link #store} and {@link #queue}
   * are given.
   */
  public RGridBuilder sharedState(String url, String user, String password) {
    stateUrl = java.util.Objects.requireNonNull(url, "url");
    stateUser = user;
    statePassword = password;
    return this;
  }

  /**
   * The accounts and API keys a server authenticates against. Default: those of the shared state
   * or embedded database; none when {@link #store} is given.
   */
  public RGridBuilder accounts(dev.rgrid.spi.account.AccountStore value) {
    accounts = value;
    return this;
  }

  /**
   * Reads the configuration ({@code store.*}, {@code s3.*}, {@code pip.*}, {@code price.*} keys)
   * from {@code file}, which must exist, instead of {@code config.properties} in the state
   * directory. Default: the file named by {@code RGRID_CONFIG}, else that one (if it exists).
   * Environment variables still take precedence over its keys. Ignored when {@link #config} is
   * given (its settings are already resolved).
   */
  public RGridBuilder configFile(Path file) {
    configFile = java.util.Objects.requireNonNull(file, "file");
    return this;
  }

  /**
   * Keeps blobs (scripts, inputs, outputs) in {@code dir}, for example a directory every worker
   * of one machine shares. Default: {@code RGRID_BLOBS_DIR}, else {@code blobs.dir} in {@code
   * config.properties}, else {@code blobs/} in the state directory. Ignored when {@link #blobs}
   * is given.
   */
  public RGridBuilder blobsDirectory(Path dir) {
    blobsDirectory = java.util.Objects.requireNonNull(dir, "dir");
    return this;
  }

  /**
   * Whether this machine is billed per started hour (a cloud machine rented by the hour): then
   * each hour's price, once the hour has ended, is split over the executions that ran in it in
   * proportion to their run time, and that share becomes each execution's final cost (an
   * execution is costed at its run time until then). The hours start when this instance starts;
   * its last, partial hour is billed whole when it closes. Default: {@code
   * price.local.per-started-hour} in {@code config.properties}, else off (each execution costs
   * its run time).
   */
  public RGridBuilder billedPerStartedHour(boolean value) {
    perStartedHour = value;
    return this;
  }

  /**
   * Hears when this month's spending crosses a threshold of the monthly limit (each threshold
   * once per month). Called on a worker thread: keep it short.
   */
  public RGridBuilder onSpendingAlert(java.util.function.Consumer<SpendingAlert> listener) {
    spendingAlerts = java.util.Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * How long ended executions are kept, how much space kept environments may take, and how
   * garbage collection runs. Default: {@code RGRID_RETENTION_DAYS}, {@code RGRID_GC_GRACE},
   * {@code RGRID_GC_INTERVAL}, {@code RGRID_ENVS_MAX_BYTES}, else their keys in {@code
   * config.properties}, else {@link GcSettings#DEFAULTS}.
   */
  public RGridBuilder gc(GcSettings value) {
    gc = java.util.Objects.requireNonNull(value, "value");
    return this;
  }

  /**
   * Counts what this instance does into {@code registry} (Micrometer; meters named {@code
   * rgrid.*}, {@code rgrid_*} in Prometheus): queue depth and wait, running executions, ended
   * executions by status and failure kind, run durations, cache lookups, environment
   * preparations, blob bytes stored, this month's spending, worker heartbeats (see the operator
   * guide for the list). Default: none, and counting costs nothing. The registry stays the
   * caller's; its gauges read this instance's state until it is closed.
   */
  public RGridBuilder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
    meterRegistry = java.util.Objects.requireNonNull(registry, "registry");
    return this;
  }

  /**
   * Overrides parts of the package index for this instance, over {@link #packageIndex} or the
   * configured one (the CLI's {@code --index-url}, {@code --find-links}, {@code --no-index}).
   *
   * @param indexUrl the main index URL, or {@code null} to keep the configured one
   * @param findLinks more local wheel directories
   * @param noIndex use only the local directories
   */
  public RGridBuilder pip(String indexUrl, List<Path> findLinks, boolean noIndex) {
    pipIndexUrl = indexUrl;
    pipFindLinks = List.copyOf(findLinks);
    pipNoIndex = noIndex;
    return this;
  }

  /**
   * Whether {@link #build()} would open shared state (a database URL given, in the environment
   * or in the configuration file) rather than the state directory's embedded database.
   */
  public boolean sharedStateConfigured() {
    return stateUrl != null || resolved().sharedState();
  }

  private Config resolved() {
    return config != null ? config : Config.fromEnvironment(home, configFile);
  }

  /**
   * Builds the instance, creating the embedded defaults that were not given.
   *
   * @throws RGridException when the state directory cannot be used
   */
  public LocalRGrid build() {
    Config cfg = resolved();
    Path dir = (home == null ? cfg.home() : home).toAbsolutePath();
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      StateDirectory.prepare(dir);
      String url = stateUrl != null ? stateUrl : cfg.dbUrl();
      boolean opensShared = false;
      if (store == null || queue == null) {
        SharedStates.State state = SharedStates.state(url,
            stateUser != null ? stateUser : cfg.dbUser(),
            statePassword != null ? statePassword : cfg.dbPassword(), dir.resolve("rgrid.db"),
            owned);
        opensShared = url != null;
        if (store == null && accounts == null) {
          accounts = new LazyAccounts(state.accounts());
        }
        store = store == null ? state.store() : store;
        queue = queue == null ? state.queue() : queue;
      }
      if (blobs == null) {
        blobs = SharedStates.blobs(blobsDirectory, cfg.s3(), cfg.blobsDir(), dir.resolve("blobs"),
            owned);
      }
      EngineMetrics metrics = EngineMetrics.of(meterRegistry);
      // Wrapped once here so that every put, the engine's and a server's alike, is counted.
      blobs = MeteredBlobStore.wrap(blobs, metrics);
      LazyRuntime selected = null;
      if (runtime == null) {
        selected = new LazyRuntime(new RuntimeSelector(), engine != null ? engine : cfg.runtime());
        owned.add(selected);
        runtime = selected;
      }
      int slots = workers != null ? workers : cfg.localWorkers() != null ? cfg.localWorkers()
          : opensShared ? 0 : Math.max(2, Runtime.getRuntime().availableProcessors());
      WorkerId id = workerId == null ? LocalWorkerIds.generate() : workerId;
      EngineWiring.Settings settings = new EngineWiring.Settings(
          new WorkerSettings(id, slots, adoptsWork, lease, pollInterval, closeGrace), limits,
          maxAttempts, dir.resolve("work"),
          PackageIndexConfig.override(packageIndex != null ? packageIndex : cfg.packageIndex(),
              pipIndexUrl, pipFindLinks.stream().map(Path::toString).toList(), pipNoIndex),
          dir.resolve("envs"), hourlyMicros != null ? hourlyMicros : cfg.hourlyMicros(),
          perStartedHour != null ? perStartedHour : cfg.billedPerStartedHour(),
          MasterKeys.of(cfg.secretKeys(), dir.resolve(MasterKeys.FILE),
              new java.security.SecureRandom()));
      if (selected != null && slots > 0) {
        selected.name(); // a worker will need it: choose now, so a forced engine fails here
      }
      return new LocalRGrid(EngineWiring.engine(store, queue, blobs, runtime, catalog, clock,
          settings, spendingAlerts, metrics), store, blobs, runtime, clock, limits, catalog, owned,
          selected, accounts == null ? null : new Accounts(accounts, store, clock),
          opensShared ? Placement.Mode.SHARED : Placement.Mode.EMBEDDED, slots,
          gc != null ? gc : cfg.gc(), settings.cacheDir());
    } catch (RuntimeException e) {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }
}
