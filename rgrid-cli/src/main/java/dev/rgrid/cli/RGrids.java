package dev.rgrid.cli;

import dev.rgrid.core.Config;
import dev.rgrid.core.RGrid;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a command's RGrid comes from: a new one built for the command and closed with it (a
 * command's own process), or one the background agent keeps open for every command that
 * resolves the same way (its state, warm container pool and connections stay open).
 */
interface RGrids {
  /**
   * A new RGrid per command ({@link BaseCommand#build}); work left to run in the background goes
   * to a background agent process, started when none runs.
   */
  RGrids NEW = new RGrids() {
    @Override
    public RGrid open(Request request) {
      return BaseCommand.build(request);
    }

    @Override
    public void runInBackground(Request request) {
      AgentCommand.spawn(request.engine());
    }
  };

  /** The RGrid {@code request} asks for; the caller closes it. */
  RGrid open(Request request);

  /**
   * Sees that the embedded state's queued work runs after the command has ended ({@code
   * --detach}), with the runtime and settings of {@code request}.
   */
  void runInBackground(Request request);

  /**
   * What a command asks of its RGrid: see {@link BaseCommand#client(Config, int, String,
   * BaseCommand.Pip, boolean)}.
   *
   * @param config the resolved configuration
   * @param workers in-process workers where this process runs work
   * @param engine the container runtime ({@code null}: the configuration's, else auto)
   * @param pip package index options, or null
   * @param localWorker whether to run work here on shared state
   * @param lease how long claims live without a heartbeat ({@code RGRID_LEASE}), or null
   * @param connectTimeout how long reaching a server may take ({@code RGRID_CONNECT_TIMEOUT}),
   *     or null for the client's default
   */
  record Request(Config config, int workers, String engine, BaseCommand.Pip pip,
      boolean localWorker, Duration lease, Duration connectTimeout) {
    public Request {
      Objects.requireNonNull(config, "config");
    }
  }
}
