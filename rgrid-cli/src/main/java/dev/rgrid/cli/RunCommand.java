package dev.rgrid.cli;

import dev.rgrid.cli.agent.StdinKind;
import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Config;
import dev.rgrid.core.Execution;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Placement;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid run [OPTIONS] SCRIPT [ARGS...]}: a drop-in for {@code python SCRIPT ARGS}. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a script. RGrid's options go before the script; everything after it is the "
        + "script's, untouched. Arguments naming local files or directories are uploaded and "
        + "rewritten to where the script sees them. The script's stdout and stderr come out here "
        + "byte for byte, stdin is passed through, and rgrid exits with the script's exit code.",
        "Outputs (files the script creates or changes in its working directory) are downloaded "
        + "to ./outputs/<execution id>/.",
        "With --batch GLOB, the script runs once per matching file, the file placed where {} "
        + "stands in ARGS (else appended), at most --parallel at once; each input's outputs go "
        + "to <output-dir>/<input name>/. Exit code: 0 when every input succeeded, 1 when any "
        + "failed, 4 when a pattern matched nothing. With --batch-from BATCH_ID:GLOB, once per "
        + "run of that batch, fed its matching output."})
final class RunCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "SCRIPT", description = "The script to run.")
  Path script;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "The script's arguments.")
  List<String> args = new ArrayList<>();

  @Option(names = "--runtime", paramLabel = "NAME",
      description = "Runtime (default from the script's suffix: .py python3.11, .js node20, "
          + ".sh bash). See `rgrid runtimes`.")
  String runtime;

  @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Environment variable, "
      + "stored and shown as given: for passwords and tokens use --secret.")
  List<String> env = new ArrayList<>();

  @Option(names = "--secret", paramLabel = "NAME[=VAR]", description = "Give the script the "
      + "secret NAME (see `rgrid secret`) in environment variable NAME, or VAR; repeatable. Its "
      + "value is masked as *** in the stored logs and in this command's output.")
  List<String> secrets = new ArrayList<>();

  @Option(names = {"-i", "--input"}, paramLabel = "PATH",
      description = "A file or directory to place in the working directory.")
  List<Path> inputs = new ArrayList<>();

  @Option(names = {"-l", "--label"}, paramLabel = "K=V", description = "Label for filtering.")
  List<String> labels = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Kill the script after this long (90s, 5m, 1h30m; default 1h).")
  String timeout;

  @Option(names = "--network", description = "Let the script use the network (isolating runtimes).")
  boolean network;

  @Option(names = "--no-cache",
      description = "Run even if an identical run succeeded before (and do not keep this result).")
  boolean noCache;

  @Option(names = "--retries", paramLabel = "N",
      description = "Retry transient failures (the container could not start, the engine or a "
          + "store was unreachable, the worker was lost) up to N times, with exponential backoff "
          + "and jitter (0-100, default 2). A script's own failure is never retried.")
  String retries;

  @Option(names = "--stdin", description = "Pass this terminal's input to the script (by default "
      + "only piped or redirected input is passed; a run given stdin is never cached).")
  boolean stdin;

  @Option(names = "--engine", paramLabel = "NAME",
      description = "Container runtime: auto (Docker when its engine answers, else local "
          + "processes), docker, swarm (a Swarm job per run; the engine must be a swarm manager), "
          + "or process. Default: $RGRID_RUNTIME, else auto.")
  String engine;

  @Option(names = "--local-worker", description = "On shared state (RGRID_DB_URL), run the work "
      + "in this process too, instead of leaving it to the cluster's workers (`rgrid worker`).")
  boolean localWorker;

  @Option(names = "--output-dir", paramLabel = "DIR",
      description = "Where outputs go (default ./outputs/<execution id>; a batch: ./outputs, "
          + "one folder per input).")
  Path outputDir;

  @Option(names = "--batch", paramLabel = "GLOB",
      description = "Run the script once per file matching GLOB (repeatable; * ? [abc] {a,b}, "
          + "** for any depth; quote it so the shell leaves it alone).")
  List<String> batch = new ArrayList<>();

  @Option(names = "--parallel", paramLabel = "N",
      description = "With --batch: at most N inputs run at once, enforced for every worker "
          + "(1-10000, default: the number of processors).")
  String parallel;

  @Option(names = "--flat", description = "With --batch: put every input's outputs into the "
      + "output directory itself (refused, before writing anything, when two would clash).")
  boolean flat;

  @Option(names = "--remote-only", description = "Do not download the outputs.")
  boolean remoteOnly;

  @Option(names = "--detach",
      description = "Return at once, printing the execution id (with --json: {\"execution\": "
          + "ID}, a batch {\"batch\": ID, \"inputs\": N}); a background process runs it.")
  boolean detach;

  @Option(names = "--json", description = "Print the result as JSON on stdout instead of the "
      + "script's output (find that with `rgrid logs`).")
  boolean json;

  @picocli.CommandLine.Mixin
  PackageOptions packages = new PackageOptions();

  @picocli.CommandLine.Mixin
  ParentOptions parents = new ParentOptions();

  @picocli.CommandLine.Mixin
  ResourceOptions resources = new ResourceOptions();

  @Override
  int execute() throws Exception {
    // Inputs named by the arguments are found where the user is (in the agent: the client's
    // directory, not the agent's).
    RunSpec.Builder builder = RunSpec.builder(script).args(args)
        .baseDirectory(terminal.invocation().cwd().toAbsolutePath())
        .inputs(inputs.toArray(Path[]::new)).network(network).cache(!noCache);
    packages.apply(builder);
    if (retries != null) {
      builder.retry(RetryPolicy.defaults().withMaxRetries(RetryPolicy.parseRetries(retries)));
    }
    Parsing.pairs(env, "an environment variable").forEach(builder::env);
    for (String secret : secrets) {
      int eq = secret.indexOf('=');
      if (eq < 0) {
        builder.secret(secret);
      } else {
        builder.secret(secret.substring(0, eq), secret.substring(eq + 1));
      }
    }
    Parsing.pairs(labels, "a label").forEach(builder::label);
    if (runtime != null) {
      builder.runtime(runtime);
    }
    if (timeout != null) {
      builder.timeout(Parsing.duration(timeout));
    }
    resources.apply(builder);
    parents.apply(builder);
    if (!batch.isEmpty() || parents.batchFrom != null) {
      return runBatch(builder);
    }
    if (parallel != null || flat) {
      throw new InvalidRunSpecException((flat ? "--flat" : "--parallel")
          + " only applies to a batch",
          "add --batch GLOB or --batch-from BATCH_ID:GLOB, or leave it out");
    }
    if (detach) {
      return detached(builder);
    }
    Invocation invocation = terminal.invocation();
    StdinKind kind = invocation.stdinKind();
    if (kind == StdinKind.DATA || stdin && kind == StdinKind.TERMINAL) {
      builder.stdin(invocation.stdin());
    }
    AtomicReference<Execution> current =
        new AtomicReference<>();
    Config config = config();
    boolean here = runsHere(config, localWorker);
    if (!json) {
      builder.listener(new ExecutionListener() {
        @Override
        public void onNotice(String message) {
          terminal.note(message);
        }

        @Override
        public void onOutput(LogStream stream, byte[] bytes) {
          if (!terminal.raw(stream == LogStream.STDERR, bytes) && stream == LogStream.STDOUT) {
            stdoutClosed(current.get());
          }
        }

        @Override
        public void onLogLine(LogLine line) {
          if (!here && line.stream() == LogStream.SYSTEM) {
            // RGrid's notes on a run elsewhere (a retried attempt, a truncated log), dimmed.
            terminal.logLine(line, false, false);
          }
        }
      });
    }
    Timings timings = new Timings(terminal.invocation());
    int code = runOpen(builder, config, here, timings, current);
    timings.mark("close");
    timings.print(terminal);
    return code;
  }

  private int runOpen(RunSpec.Builder builder, Config config, boolean here, Timings timings,
      AtomicReference<Execution> current) throws Exception {
    // The interruption is closed after the RGrid: Ctrl-C waits for the close.
    try (Interruption interruption = new Interruption(terminal);
        RGrid rgrid = client(config, 2, engine, packages.pip(),
            localWorker)) {
      timings.mark("open");
      beforeSubmitting(rgrid, config, here);
      Execution execution = rgrid.run(builder.build());
      current.set(execution);
      timings.mark("submit");
      interruption.onInterrupt(() -> cancelOnInterrupt(execution));
      // The listener prints the output as it comes: as written from this process's workers, as
      // stored lines from a server's or the cluster's.
      ExecutionRecord done = execution.await();
      if (brokenPipe) {
        // Like a local script writing into `| head`: it ends, quietly, as killed by SIGPIPE.
        return 128 + 13;
      }
      timings.mark("run");
      List<Path> downloaded = List.of();
      List<Artifact> outputs = execution.outputs();
      if (remoteOnly || outputs.isEmpty()) {
        RunReport.outputsNotDownloaded(terminal, done, outputs.size());
      } else {
        Path dir = outputDir != null ? outputDir
            : terminal.invocation().resolve(Path.of("outputs", done.id().value()));
        downloaded = execution.downloadOutputs(dir);
        terminal.note(done.id() + ": " + RunReport.files(downloaded.size()) + " in "
            + terminal.invocation().shown(dir));
      }
      if (json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("execution", done);
        result.put("outputs", outputs);
        result.put("downloaded", downloaded.stream().map(Path::toString).toList());
        printJson(result);
      }
      timings.mark("download");
      return RunReport.tell(terminal, done);
    }
  }

  private int runBatch(RunSpec.Builder builder) throws Exception {
    int n = parallel == null ? BatchSpec.defaultParallel() : Parsing.parallel(parallel);
    if (stdin) {
      throw new InvalidRunSpecException("--stdin cannot be used with --batch",
          "pass the data as input files instead");
    }
    Config config = config();
    boolean here = runsHere(config, localWorker);
    if (detach) {
      try (RGrid rgrid = client(config, 0, null, null, false)) {
        if (!here) {
          builder.listener(notices()); // e.g. that no worker is alive to run it
        }
        Batch submitted = rgrid.batch(parents.batchInputs(BatchSpec.builder(builder.build()),
            batch).parallel(n).build());
        if (here) {
          runInBackground(config, engine); // else a server's or the cluster's workers run it
        }
        if (json) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("batch", submitted.id().value());
          out.put("inputs", submitted.items().size());
          printJson(out);
        } else {
          terminal.out.println(submitted.id());
        }
        terminal.note("running " + submitted.items().size() + " inputs in the background; "
            + "follow with `rgrid status " + submitted.id() + "`");
        return ExitCodes.OK;
      }
    }
    // Enough in-process workers for the batch's cap (which the queue enforces in any case).
    // The interruption is closed after the RGrid: Ctrl-C waits for the close.
    try (Interruption interruption = new Interruption(terminal);
        RGrid rgrid = client(config, Math.min(n, 64), engine,
            packages.pip(), localWorker)) {
      beforeSubmitting(rgrid, config, here);
      return new BatchRun(terminal, json, interruption).run(rgrid, builder.build(),
          s -> parents.batchInputs(s, batch), n, outputDir, flat, remoteOnly);
    }
  }

  private int detached(RunSpec.Builder builder) throws Exception {
    Config config = config();
    boolean here = runsHere(config, localWorker);
    if (!here) {
      builder.listener(notices()); // e.g. that no worker is alive to run it
    }
    try (RGrid rgrid = client(config, 0, null, null, false)) {
      Execution execution = rgrid.run(builder.build());
      if (here) {
        runInBackground(config, engine); // else a server's or the cluster's workers run it
      }
      if (json) {
        printJson(Map.of("execution", execution.id().value()));
      } else {
        terminal.out.println(execution.id());
      }
      terminal.note("running in the background; follow it with `rgrid logs -f " + execution.id()
          + "`");
      return ExitCodes.OK;
    }
  }

  /**
   * Where this process runs the work, says how isolated it is; where it leaves the work to the
   * cluster's workers, refuses to wait when none is alive.
   */
  private void beforeSubmitting(RGrid rgrid, Config config, boolean here) {
    Placement placement = rgrid.placement();
    if (here) {
      placement.runtime().ifPresent(this::noticeIsolation);
    } else if (placement.mode() == Placement.Mode.SHARED) {
      requireWorker(placement, config);
    }
  }

  private void noticeIsolation(Placement.LocalRuntime runtime) {
    if (runtime.notice().isPresent()) {
      // A fallback (no engine answered) is said on every run: it may be a surprise each time.
      terminal.note(runtime.notice().get());
      return;
    }
    if (runtime.isolates()) {
      return;
    }
    // The local runtime chosen on purpose is said once per state directory, not on every run.
    Path marker = RGridBuilder.defaultHome().resolve(".notice-" + runtime.name());
    if (!Files.exists(marker)) {
      terminal.note("scripts run as local processes (runtime '" + runtime.name()
          + "'): they are NOT isolated from this machine");
      try {
        dev.rgrid.core.PrivateFiles.writeString(marker, "shown\n");
      } catch (IOException e) {
        // Not being able to remember the notice only means it is shown again next time.
      }
    }
  }

  private volatile boolean brokenPipe;

  /** Whoever reads our stdout went away: stop the script, as SIGPIPE would stop it locally. */
  private void stdoutClosed(Execution execution) {
    if (brokenPipe || execution == null) {
      return;
    }
    brokenPipe = true;
    // Not on the output thread: cancelling waits for the process, whose output that thread reads.
    Thread t = new Thread(() -> {
      try {
        execution.cancel();
      } catch (RuntimeException e) {
        terminal.error("could not stop " + execution.id() + ": " + e.getMessage(), null);
      }
    }, "rgrid-broken-pipe");
    t.setDaemon(true);
    t.start();
  }

  /** Ctrl-C: cancels the run, which ends the wait in runOpen; the RGrid is closed after. */
  private static void cancelOnInterrupt(Execution execution) {
    if (!execution.status().isTerminal()) {
      execution.cancel();
    }
  }
}
