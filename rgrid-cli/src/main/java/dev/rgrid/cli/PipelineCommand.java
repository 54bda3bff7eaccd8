package dev.rgrid.cli;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.core.pipeline.PipelineId;
import dev.rgrid.core.pipeline.PipelineRun;
import dev.rgrid.core.pipeline.PipelineStatus;
import dev.rgrid.core.pipeline.Pipelines;
import dev.rgrid.core.pipeline.Step;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rgrid pipeline}: steps of a TOML file run after one another, each as soon as the steps
 * it needs have ended; found again, cancelled and retried by the pipeline's id.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Run the steps of a pipeline file, each after the steps it needs, and look "
        + "at, cancel or retry a pipeline.",
    subcommands = {PipelineCommand.Run.class, PipelineCommand.Status.class,
        PipelineCommand.Cancel.class, PipelineCommand.Retry.class})
final class PipelineCommand extends CommandGroup {
  PipelineCommand() {
    super("name an action: rgrid pipeline run FILE.toml, status ID, cancel ID or retry ID");
  }

  /** What running and retrying share: opening RGrid, following the steps, Ctrl-C. */
  abstract static class Following extends BaseCommand {
    @Option(names = "--engine", paramLabel = "NAME",
        description = "Container runtime: auto (Docker when its engine answers, else local "
            + "processes), docker or process (default: RGRID_RUNTIME, else auto).")
    String engine;

    @Option(names = "--local-worker", description = "On shared state (RGRID_DB_URL), run the "
        + "steps in this process too, instead of leaving them to the cluster's workers.")
    boolean localWorker;

    /** Submits with {@code submit} and follows the pipeline to its end; the exit code. */
    int submitAndFollow(Pipeline pipeline, java.util.function.Function<RGrid, PipelineRun> submit)
        throws Exception {
      // Enough in-process workers for the widest batch step, at least two for parallel steps.
      int workers = Math.min(64, Math.max(2, pipeline.steps().stream()
          .mapToInt(Step::parallel).max().orElse(0)));
      try (Interruption interruption = new Interruption(terminal);
          RGrid rgrid = client(config(), workers, engine, null, localWorker)) {
        if (!runsHere(config(), localWorker)) {
          // On shared state the cluster's workers run the steps: with none alive, say so now
          // rather than follow a pipeline that never starts.
          requireWorker(rgrid.placement(), config());
        }
        PipelineRun run = submit.apply(rgrid);
        interruption.onInterrupt(run::cancel);
        terminal.out.println(run.id() + ": " + run.submitted().size() + " step"
            + (run.submitted().size() == 1 ? "" : "s") + " submitted"
            + (run.kept().isEmpty() ? "" : ", " + run.kept().size() + " kept"));
        return new PipelineProgress(terminal).follow(rgrid, run.id());
      }
    }
  }

  /** {@code rgrid pipeline run FILE.toml}. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Check a pipeline file and run its steps, printing a line per step as it "
          + "changes. Exit 0 when every step succeeded, 1 when one failed (its descendants are "
          + "skipped), 7 when steps were skipped otherwise, 2 for a file that is not valid.")
  static final class Run extends Following {
    @Parameters(index = "0", paramLabel = "FILE", description = "The pipeline file (TOML).")
    Path file;

    @Option(names = "--dry-run", description = "Print the plan (steps in order, what each waits "
        + "for and takes) and run nothing.")
    boolean dryRun;

    @Override
    int execute() throws Exception {
      Path path = terminal.invocation().resolve(file);
      Pipeline pipeline = PipelineFile.read(path, file.toString());
      if (dryRun) {
        new PipelineProgress(terminal).plan(pipeline, file.toString());
        return ExitCodes.OK;
      }
      return submitAndFollow(pipeline, pipeline::run);
    }
  }

  /** {@code rgrid pipeline retry ID}. */
  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Run the failed, timed-out, cancelled and skipped steps of a pipeline again "
          + "from its file as it is now, each after the succeeded runs of the steps it needs; "
          + "the steps that succeeded are not run again.")
  static final class Retry extends Following {
    @Parameters(index = "0", paramLabel = "ID", description = "The pipeline id (pipe_…).")
    String id;

    @Option(names = "--file", paramLabel = "FILE",
        description = "The pipeline file (default: the file the pipeline was run from).")
    Path file;

    @Override
    int execute() throws Exception {
      PipelineId pipelineId = PipelineId.of(id);
      PipelineStatus stored;
      try (RGrid rgrid = client(0, null)) {
        stored = Pipelines.status(rgrid, pipelineId);
      }
      if (stored.succeeded()) {
        terminal.note("nothing to retry: every step of " + pipelineId + " succeeded");
        return ExitCodes.OK;
      }
      Path path = file != null ? terminal.invocation().resolve(file)
          : stored.source() != null ? Path.of(stored.source()) : null;
      if (path == null) {
        throw new InvalidRunSpecException(pipelineId + " does not record its pipeline file",
            "name it: rgrid pipeline retry " + pipelineId + " --file FILE.toml");
      }
      Pipeline pipeline = PipelineFile.read(path, file != null ? file.toString()
          : path.toString());
      return submitAndFollow(pipeline, rgrid -> pipeline.retry(rgrid, pipelineId));
    }
  }

  /** {@code rgrid pipeline status ID}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show each step of a pipeline: its latest run and status.")
  static final class Status extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The pipeline id (pipe_…).")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    int execute() throws Exception {
      try (RGrid rgrid = client(0, null)) {
        PipelineStatus status = Pipelines.status(rgrid, PipelineId.of(id));
        if (json) {
          printJson(PipelineProgress.json(status));
        } else {
          new PipelineProgress(terminal).print(status);
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid pipeline cancel ID}. */
  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel every run of a pipeline that has not ended (the steps waiting for "
          + "them end skipped).")
  static final class Cancel extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The pipeline id (pipe_…).")
    String id;

    @Override
    int execute() {
      PipelineId pipelineId = PipelineId.of(id);
      try (RGrid rgrid = client(0, null)) {
        Pipelines.status(rgrid, pipelineId); // a pipeline that does not exist is an error
        int n = Pipelines.cancel(rgrid, pipelineId);
        terminal.note(n == 0 ? "nothing left to cancel in " + pipelineId
            : "cancelling " + n + " run" + (n == 1 ? "" : "s") + " of " + pipelineId);
        return ExitCodes.OK;
      }
    }
  }
}
