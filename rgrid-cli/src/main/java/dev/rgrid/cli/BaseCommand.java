package dev.rgrid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import java.util.List;
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
    RGridBuilder builder = RGrid.builder().workers(workers).engine(engine);
    String lease = System.getenv("RGRID_LEASE");
    if (lease != null && !lease.isBlank()) {
      builder.lease(Parsing.duration(lease));
    }
    return builder;
  }

  /**
   * The server of {@code rgrid login} / {@code RGRID_URL} when one is configured, else the
   * embedded RGrid of this short-lived command with {@code workers} in-process workers on runtime
   * {@code engine}.
   */
  static RGrid client(int workers, String engine) {
    return client(workers, engine, null);
  }

  /**
   * As {@link #client(int, String)}, with pip options for the embedded case. The embedded RGrid
   * runs only the work this command submits: work nobody owns (left by a process that died, or
   * detached work whose agent is gone) is handed to the background agent, which sees it through.
   */
  static RGrid client(int workers, String engine, Pip pip) {
    java.util.Optional<Remote.Target> target = Remote.target(System.getenv());
    if (target.isPresent()) {
      return RGrid.connect(target.get().url(), target.get().key());
    }
    RGridBuilder builder = builder(workers, engine).adoptsWork(false);
    if (pip != null) {
      builder.pip(pip.indexUrl(), pip.findLinks(), pip.noIndex());
    }
    LocalRGrid rgrid = builder.build();
    if (!builder.sharedStateConfigured()) {
      // Shared state has workers of its own for such work; the embedded state has the agent.
      AgentCommand.handUnownedWork(rgrid, engine);
    }
    return rgrid;
  }

  /** The package index options of a command line. */
  record Pip(String indexUrl, List<java.nio.file.Path> findLinks, boolean noIndex) {}

  void printJson(Object value) throws Exception {
    terminal.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
  }
}
