package dev.rgrid.cli;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.server.RGridServer;
import dev.rgrid.server.ServerOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rgrid server}: the HTTP API. With {@code --embedded}, a one-machine server: the state
 * directory's stores and in-process workers, to try RGrid out. Without it, the production shape:
 * the API over the shared PostgreSQL store and blob store, with {@code rgrid worker}s elsewhere.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Serve the RGrid HTTP API until stopped (SIGTERM or Ctrl-C).",
        "--embedded runs workers in the server on the embedded state (try-out); otherwise the "
        + "server needs shared state (RGRID_DB_URL or store.url) and runs no work itself."})
final class ServerCommand extends BaseCommand {
  @Option(names = "--embedded", description = "Run work in this process on the embedded state.")
  boolean embedded;

  @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "The address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "The port (default ${DEFAULT-VALUE}; 0 for any free one).")
  int port;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
      description = "With --embedded: executions run at once (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--engine", paramLabel = "NAME",
      description = "With --embedded: container runtime auto, docker, swarm or process.")
  String engine;

  @Override
  int execute() throws Exception {
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("--workers must be between 1 and 256, was " + workers);
    }
    ServerOptions options = ServerOptions.defaults(port).withHost(host);
    if (!embedded && !dev.rgrid.core.RGrid.builder().sharedStateConfigured()) {
      throw new IllegalArgumentException("without --embedded the server needs shared state: "
          + "set RGRID_DB_URL (or store.url), or pass --embedded to try it on this machine");
    }
    // The library counts into the registry the server serves on /metrics, beside its HTTP meters.
    LocalRGrid rgrid = builder(embedded ? workers : 0, engine).meterRegistry(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build();
    RGridServer server;
    try {
      server = RGridServer.start(rgrid, options);
    } catch (RuntimeException e) {
      rgrid.close();
      throw e;
    }
    rgrid.scheduleGc(); // retention and blob collection, one host at a time (gc.interval)
    rgrid.operations().deliverAlerts(); // the outbox's alerts to their webhooks, with or without workers
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
        rgrid.close();
      } finally {
        stopped.countDown();
      }
    }, "rgrid-server-stop"));
    terminal.note("serving the RGrid API on http://" + host + ":" + server.port()
        + rgrid.placement().runtime().filter(r -> embedded)
        .map(r -> " with " + workers + " in-process workers on the " + r.name() + " runtime")
        .orElse(""));
    stopped.await();
    return ExitCodes.OK;
  }
}
