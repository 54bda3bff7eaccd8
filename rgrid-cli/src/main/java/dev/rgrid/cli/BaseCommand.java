package dev.rgrid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
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

  /** The embedded RGrid with {@code workers} in-process workers (0: submit only). */
  static LocalRGrid open(int workers) {
    return open(workers, null);
  }

  /**
   * The embedded RGrid with {@code workers} in-process workers on container runtime {@code engine}
   * ({@code auto}, {@code docker}, {@code process}; {@code null}: {@code RGRID_RUNTIME}, else auto).
   */
  static LocalRGrid open(int workers, String engine) {
    return RGrid.builder().workers(workers).engine(engine).build();
  }

  /** As {@link #open(int, String)}, installing Python packages as {@code pip} says. */
  static LocalRGrid open(int workers, String engine, Pip pip) {
    return RGrid.builder().workers(workers).engine(engine)
        .pip(pip.indexUrl(), pip.findLinks(), pip.noIndex()).build();
  }

  /**
   * The server of {@code rgrid login} / {@code RGRID_URL} when one is configured, else the
   * embedded RGrid with {@code workers} in-process workers on runtime {@code engine}.
   */
  static RGrid client(int workers, String engine) {
    java.util.Optional<Remote.Target> target = Remote.target(System.getenv());
    return target.isPresent() ? RGrid.connect(target.get().url(), target.get().key())
        : open(workers, engine);
  }

  /** As {@link #client(int, String)}, with pip options for the embedded case. */
  static RGrid client(int workers, String engine, Pip pip) {
    java.util.Optional<Remote.Target> target = Remote.target(System.getenv());
    return target.isPresent() ? RGrid.connect(target.get().url(), target.get().key())
        : open(workers, engine, pip);
  }

  /** The package index options of a command line. */
  record Pip(String indexUrl, List<java.nio.file.Path> findLinks, boolean noIndex) {}

  void printJson(Object value) throws Exception {
    terminal.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
  }
}
