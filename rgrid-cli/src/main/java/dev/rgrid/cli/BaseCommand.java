package dev.rgrid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rgrid.core.Config;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.Placement;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.spi.RGridException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** What every subcommand shares: the terminal, {@code --quiet}, opening RGrid, JSON output. */
abstract class BaseCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("rgrid-ids")
          // Ids and keys are plain strings in JSON, so `jq -r .id` works.
          .addSerializer(dev.rgrid.spi.ExecutionId.class, ToStringSerializer.instance)
          .addSerializer(dev.rgrid.spi.WorkerId.class, ToStringSerializer.instance)
          .addSerializer(dev.rgrid.spi.blob.BlobKey.class, ToStringSerializer.instance))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  Terminal terminal;

  @Option(names = {"-q", "--quiet"}, description = "Print none of RGrid's own messages.")
  boolean quiet;

  @Override
  public final Integer call() throws Exception {
    terminal.quiet(quiet);
    return execute();
  }

  abstract int execute() throws Exception;

  /**
   * The embedded RGrid of a long-lived process (the agent, an embedded server) with {@code
   * workers} in-process workers, which also run work that is not theirs (0: submit only).
   */
  static LocalRGrid open(int workers) {
    return open(workers, null);
  }

  /**
   * As {@link #open(int)}, on container runtime {@code engine} ({@code auto}, {@code docker},
   * {@code process}; {@code null}: {@code RGRID_RUNTIME}, else auto).
   */
  static LocalRGrid open(int workers, String engine) {
    return builder(workers, engine).build();
  }

  /**
   * The builder every embedded RGrid of the CLI starts from; {@code RGRID_LEASE} sets how long
   * its claims live without a heartbeat (default 30 s), and so how soon the work of a process
   * that died is taken over.
   */
  static RGridBuilder builder(int workers, String engine) {
    return lease(RGrid.builder().workers(workers).engine(engine), lease(System.getenv()));
  }

  /** {@code RGRID_LEASE} of {@code env}, or null. */
  static Duration lease(Map<String, String> env) {
    String lease = env.get("RGRID_LEASE");
    return lease == null || lease.isBlank() ? null : Parsing.duration(lease);
  }

  private static RGridBuilder lease(RGridBuilder builder, Duration lease) {
    return lease == null ? builder : builder.lease(lease);
  }

  /**
   * RGrid as {@link RGrid#client(Config)} resolves it (a server, else shared state, else the
   * embedded state), with {@code workers} in-process workers on runtime {@code engine} where this
   * process runs work: on the embedded state, and on shared state only with {@code localWorker}
   * (else it submits, and the cluster's workers run the work).
   */
  RGrid client(int workers, String engine) {
    return client(config(), workers, engine, null, false);
  }

  /** As {@link #client(int, String)} on {@code config}, with pip options when run here. */
  RGrid client(Config config, int workers, String engine, Pip pip, boolean localWorker) {
    return terminal.invocation().rgrids().open(new RGrids.Request(config, workers, engine,
        pip == null || pip.isEmpty() ? null : pip, localWorker,
        lease(terminal.invocation().env()), connectTimeout(terminal.invocation().env())));
  }

  /**
   * Sees that work this command submitted to the embedded state runs after it ends ({@code
   * --detach}), on runtime {@code engine}.
   */
  void runInBackground(Config config, String engine) {
    terminal.invocation().rgrids().runInBackground(new RGrids.Request(config, 2, engine, null,
        false, lease(terminal.invocation().env()), null));
  }

  /** The configuration of this command's environment ({@link Config#from}). */
  Config config() {
    return Config.from(terminal.invocation().env());
  }

  /**
   * A new RGrid for one command, closed with it: see {@link #client(Config, int, String, Pip,
   * boolean)}. The embedded state's work that nobody owns goes to the background agent.
   */
  static RGrid build(RGrids.Request request) {
    return build(request, true);
  }

  /**
   * As {@link #build(RGrids.Request)}; {@code handOver} false keeps the work nobody owns from
   * being handed to a background agent (the agent itself builds it so, and adopts that work).
   */
  static RGrid build(RGrids.Request request, boolean handOver) {
    return build(request, handOver, null);
  }

  /**
   * As {@link #build(RGrids.Request, boolean)}, telling {@code alerts} (when not null) of the
   * spending thresholds its runs cross, besides the warning the library logs.
   */
  static RGrid build(RGrids.Request request, boolean handOver,
      java.util.function.Consumer<dev.rgrid.core.SpendingAlert> alerts) {
    Config config = request.config();
    if (config.server() != null) {
      return remote(config.server().url(), config.server().apiKey(), request.connectTimeout());
    }
    // A short-lived command runs only the work it submits: work nobody owns (left by a process
    // that died, or detached work whose agent is gone) is handed to the background agent, which
    // sees it through; on shared state, the cluster's workers take it.
    RGridBuilder builder = lease(RGrid.builder().config(config).engine(request.engine()),
        request.lease()).adoptsWork(!handOver && !config.sharedState());
    if (!config.sharedState() || request.localWorker()) {
      builder.workers(request.workers());
    }
    Pip pip = request.pip();
    if (pip != null) {
      builder.pip(pip.indexUrl(), pip.findLinks(), pip.noIndex());
    }
    if (alerts != null) {
      builder.onSpendingAlert(alerts);
    }
    LocalRGrid rgrid = builder.build();
    if (handOver && !config.sharedState()) {
      AgentCommand.handUnownedWork(rgrid, request.engine());
    }
    return rgrid;
  }

  /**
   * The server at {@code url}; {@code timeout} (from {@link #connectTimeout}, null: 5 s) is how
   * long connecting, and trying to reach a server that has not answered yet, may take before the
   * command fails with {@link ExitCodes#UNREACHABLE}.
   */
  static RGrid remote(java.net.URI url, String apiKey, Duration timeout) {
    if (timeout == null) {
      return dev.rgrid.client.RemoteRGrid.connect(url, apiKey);
    }
    return dev.rgrid.client.RemoteRGrid.builder(url, apiKey).connectTimeout(timeout)
        .reachDeadline(timeout).build();
  }

  /** {@code RGRID_CONNECT_TIMEOUT} of {@code env} (a duration), or null. */
  static Duration connectTimeout(Map<String, String> env) {
    String timeout = env.get("RGRID_CONNECT_TIMEOUT");
    if (timeout == null || timeout.isBlank()) {
      return null;
    }
    try {
      return Parsing.duration(timeout);
    } catch (picocli.CommandLine.TypeConversionException e) {
      throw new picocli.CommandLine.TypeConversionException("RGRID_CONNECT_TIMEOUT: "
          + e.getMessage());
    }
  }


  /**
   * Whether {@link #client(Config, int, String, Pip, boolean)} runs work in this process (else a
   * server's or the cluster's workers run it).
   */
  static boolean runsHere(Config config, boolean localWorker) {
    return config.server() == null && (!config.sharedState() || localWorker
        || config.localWorkers() != null && config.localWorkers() > 0);
  }

  /**
   * Refuses to wait for work that nothing will run: on shared state where no worker is alive.
   *
   * @throws RGridException naming the store, when no worker is alive
   */
  static void requireWorker(Placement placement, Config config) {
    if (placement.liveWorkers().orElse(1) == 0) {
      throw new RGridException("no worker is alive on " + config.stateName(),
          "start `rgrid worker` on the same store, or use --local-worker to run it here");
    }
  }

  /** A listener that prints what RGrid says while submitting (its notices). */
  dev.rgrid.core.ExecutionListener notices() {
    return new dev.rgrid.core.ExecutionListener() {
      @Override
      public void onNotice(String message) {
        terminal.note(message);
      }
    };
  }

  /** The package index options of a command line. */
  record Pip(String indexUrl, List<java.nio.file.Path> findLinks, boolean noIndex) {
    /** Whether it asks for nothing (the defaults). */
    boolean isEmpty() {
      return indexUrl == null && (findLinks == null || findLinks.isEmpty()) && !noIndex;
    }
  }

  void printJson(Object value) throws Exception {
    terminal.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
  }
}
