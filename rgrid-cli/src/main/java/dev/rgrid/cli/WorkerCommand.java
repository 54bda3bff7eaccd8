package dev.rgrid.cli;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.Placement;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.spi.WorkerId;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rgrid worker}: a long-running worker. It claims work from the shared queue (PostgreSQL,
 * from {@code RGRID_DB_URL} or {@code store.url}), runs up to {@code --concurrency} executions at
 * once, and on SIGTERM or Ctrl-C stops claiming, lets running executions finish within {@code
 * --grace}, and hands the rest back to the queue for other workers.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run queued work until stopped (SIGTERM or Ctrl-C: running executions get "
        + "--grace to finish, the rest go back to the queue).",
        "The queue and store come from --db-url, else RGRID_DB_URL (RGRID_DB_USER, "
        + "RGRID_DB_PASSWORD), else store.url in the configuration file (--config, else "
        + "RGRID_CONFIG, else config.properties in the state directory); blobs from S3 "
        + "(RGRID_S3_* or s3.*), else --blobs-dir, RGRID_BLOBS_DIR or blobs.dir. Without them "
        + "the worker serves the embedded state directory."})
final class WorkerCommand extends BaseCommand {
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "2",
      description = "How many executions at once (1-256, default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--id", paramLabel = "ID", description = "This worker's id (default: "
      + "remembered in the state directory, so a restarted worker keeps its id).")
  String id;

  @Option(names = "--engine", paramLabel = "NAME",
      description = "Container runtime: auto, docker, swarm or process (default $RGRID_RUNTIME, "
          + "else auto).")
  String engine;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Read settings (store.*, s3.*, blobs.dir, pip.*, price.*) from FILE; the "
          + "environment still wins over it.")
  Path config;

  @Option(names = "--db-url", paramLabel = "URL", description = "The shared store and queue, "
      + "e.g. jdbc:postgresql://db:5432/rgrid (the password comes from RGRID_DB_PASSWORD or "
      + "store.password, never from the command line).")
  String dbUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "The store's user (with "
      + "--db-url).")
  String dbUser;

  @Option(names = "--blobs-dir", paramLabel = "DIR", description = "Keep blobs in DIR (a "
      + "directory every worker of this machine shares) instead of S3 or the state directory.")
  Path blobsDir;

  @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long running executions may take to finish on shutdown "
          + "(default ${DEFAULT-VALUE}).")
  String grace;

  @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long a claim lives without a heartbeat; work of a worker that died "
          + "is taken over after it (default ${DEFAULT-VALUE}).")
  String lease;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve this worker's "
      + "Prometheus metrics on http://ADDRESS:PORT/metrics (default: not served).")
  Integer metricsPort;

  @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "The address --metrics-port listens on (default: ${DEFAULT-VALUE}, this "
          + "machine only).")
  String metricsHost;

  @Override
  int execute() throws Exception {
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("--concurrency must be between 1 and 256, was "
          + concurrency);
    }
    Duration graceTime = Parsing.duration(grace);
    Duration leaseTime = Parsing.duration(lease);
    Path home = RGridBuilder.defaultHome();
    WorkerId workerId = new WorkerId(id != null ? checkedId(id) : rememberedId(home));
    if (dbUser != null && dbUrl == null) {
      throw new IllegalArgumentException("--db-user needs --db-url");
    }
    RGridBuilder builder = RGrid.builder().workers(concurrency).engine(engine)
        .workerId(workerId).lease(leaseTime).closeGrace(graceTime);
    if (config != null) {
      builder.configFile(config);
    }
    if (dbUrl != null) {
      builder.sharedState(dbUrl, dbUser, null);
    }
    if (blobsDir != null) {
      builder.blobsDirectory(blobsDir);
    }
    PrometheusMeterRegistry registry = null;
    if (metricsPort != null) {
      MetricsEndpoint.checkPort(metricsPort);
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      builder.meterRegistry(registry);
    }
    LocalRGrid rgrid = builder.build();
    rgrid.scheduleGc(); // retention and blob collection, one host at a time (gc.interval)
    MetricsEndpoint endpoint;
    try {
      endpoint = registry == null ? null
          : MetricsEndpoint.start(metricsHost, metricsPort, registry);
    } catch (RuntimeException e) {
      rgrid.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread onStop = new Thread(() -> {
      terminal.note("worker " + workerId + " stopping: running executions get " + grace
          + " to finish");
      try {
        if (endpoint != null) {
          endpoint.close();
        }
        rgrid.close();
      } finally {
        stopped.countDown();
      }
    }, "rgrid-worker-stop");
    Runtime.getRuntime().addShutdownHook(onStop);
    Placement.LocalRuntime runtime = rgrid.placement().runtime().orElseThrow(); // it has workers
    terminal.note("worker " + workerId + " running up to " + concurrency + " at once on the "
        + runtime.name() + " runtime" + runtime.notice().map(n -> " (" + n + ")").orElse("")
        + (endpoint == null ? "" : "; metrics on http://" + metricsHost + ":" + endpoint.port()
            + "/metrics"));
    stopped.await(); // until SIGTERM / Ctrl-C runs the hook
    return ExitCodes.OK;
  }

  private static String checkedId(String value) {
    if (!ID.matcher(value).matches()) {
      throw new IllegalArgumentException("--id must be 1-100 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit");
    }
    return value;
  }

  /** The id kept in {@code worker-id} in the state directory, made on first use. */
  private static String rememberedId(Path home) throws IOException {
    Path file = home.resolve("worker-id");
    if (Files.isRegularFile(file)) {
      String kept = Files.readString(file).trim();
      if (ID.matcher(kept).matches()) {
        return kept;
      }
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
    } catch (IOException e) {
      host = "host";
    }
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    String made = "worker-" + (host.length() > 60 ? host.substring(0, 60) : host) + "-"
        + HexFormat.of().formatHex(random);
    PrivateFiles.createDirectories(home);
    PrivateFiles.writeString(file, made + "\n");
    return made;
  }
}
