package dev.rgrid.cli;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.scale.Autoscaler;
import dev.rgrid.core.scale.QueueReader;
import dev.rgrid.core.scale.ScaleDecision;
import dev.rgrid.core.scale.ScalePlanner;
import dev.rgrid.core.scale.ScalePolicy;
import dev.rgrid.spi.scale.WorkerScaler;
import dev.rgrid.spi.scale.WorkerScalerProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rgrid autoscale}: sizes a pool of worker machines (a Swarm service) from the shared
 * queue, up at once, down only at the end of each surplus machine's billed hour; see {@link
 * ScalePlanner}.
 */
@Command(name = "autoscale", mixinStandardHelpOptions = true,
    description = {"Size the worker service from the shared queue until stopped: more machines "
        + "at once when the backlog would wait longer than --target-wait, fewer only when a "
        + "surplus machine is within --release-window of the end of its billed hour.",
        "Reads the queue of RGRID_DB_URL (or store.url); scales the swarm service --service on "
        + "the engine of DOCKER_HOST (a swarm manager). Each decision is logged with its reason."})
final class AutoscaleCommand extends BaseCommand {
  @Option(names = "--service", paramLabel = "NAME", required = true,
      description = "The workers' service, e.g. rgrid_worker (docker stack deploy names it "
          + "STACK_SERVICE).")
  String service;

  @Option(names = "--scaler", paramLabel = "KIND", defaultValue = "swarm",
      description = "What the service runs on (default ${DEFAULT-VALUE}).")
  String scaler;

  @Option(names = "--min", paramLabel = "N", defaultValue = "0",
      description = "Machines kept at all times (default ${DEFAULT-VALUE}).")
  int min;

  @Option(names = "--max", paramLabel = "N", defaultValue = "10",
      description = "Machines never exceeded (default ${DEFAULT-VALUE}).")
  int max;

  @Option(names = "--target-wait", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long queued work should wait at most (default ${DEFAULT-VALUE}).")
  String targetWait;

  @Option(names = "--per-worker", paramLabel = "N", defaultValue = "4",
      description = "Executions one worker runs at once: its --concurrency (default "
          + "${DEFAULT-VALUE}).")
  int perWorker;

  @Option(names = "--release-window", paramLabel = "DURATION", defaultValue = "5m",
      description = "Stop a surplus machine only this close to the end of its billed hour "
          + "(default ${DEFAULT-VALUE}).")
  String releaseWindow;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "30s",
      description = "Time between decisions; shorter than --release-window (default "
          + "${DEFAULT-VALUE}).")
  String interval;

  @Option(names = "--once", description = "Decide and apply once, print the decision, exit.")
  boolean once;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve the decisions' "
      + "Prometheus metrics on http://ADDRESS:PORT/metrics (default: not served).")
  Integer metricsPort;

  @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "The address --metrics-port listens on (default: ${DEFAULT-VALUE}).")
  String metricsHost;

  @Override
  int execute() throws Exception {
    ScalePolicy policy = new ScalePolicy(min, max, Parsing.duration(targetWait), perWorker,
        Parsing.duration(releaseWindow));
    Duration every = Parsing.duration(interval);
    if (!RGrid.builder().sharedStateConfigured()) {
      throw new IllegalArgumentException("rgrid autoscale reads the workers' shared queue: set "
          + "RGRID_DB_URL (or store.url) to the database the workers use");
    }
    if (metricsPort != null) {
      MetricsEndpoint.checkPort(metricsPort);
    }
    PrometheusMeterRegistry registry = metricsPort == null ? null
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    try (LocalRGrid rgrid = open(0); WorkerScaler pool = provider(scaler).open(service)) {
      Autoscaler autoscaler = new Autoscaler(new QueueReader(rgrid, Clock.systemUTC()), pool,
          ScalePlanner.billingHour(policy), Clock.systemUTC(), registry);
      if (once) {
        ScaleDecision d = autoscaler.tick();
        terminal.out.println(d.current() + " -> " + d.target() + " " + d.reason().tag() + ": "
            + d.why());
        return ExitCodes.OK;
      }
      try (MetricsEndpoint endpoint = registry == null ? null
              : MetricsEndpoint.start(metricsHost, metricsPort, registry);
          AutoCloseable loop = autoscaler.start(every)) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          stopped.countDown();
          try {
            // The JVM ends once the hooks have run: let the loop, the endpoint and the
            // connections close first.
            closed.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "rgrid-autoscale-stop"));
        terminal.note("autoscaling " + pool.describe() + " between " + min + " and " + max
            + " machine(s) every " + interval + (endpoint == null ? ""
                : "; metrics on http://" + metricsHost + ":" + endpoint.port() + "/metrics"));
        stopped.await(); // until SIGTERM / Ctrl-C
      }
      return ExitCodes.OK;
    } finally {
      closed.countDown();
    }
  }

  /** The scaler provider named {@code kind}, found through {@link ServiceLoader}. */
  static WorkerScalerProvider provider(String kind) {
    List<String> found = new ArrayList<>();
    for (WorkerScalerProvider p : ServiceLoader.load(WorkerScalerProvider.class)) {
      if (p.name().equals(kind)) {
        return p;
      }
      found.add(p.name());
    }
    throw new IllegalArgumentException("--scaler " + kind + " is not known; known: "
        + (found.isEmpty() ? "none (is the Docker backend on the class path?)"
            : String.join(", ", found)));
  }
}
