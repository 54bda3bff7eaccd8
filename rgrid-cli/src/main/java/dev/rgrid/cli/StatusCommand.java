package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.StatusTransition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid status ID}. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show an execution's status, times, exit code and failure reason; or a "
        + "batch's progress (counts per status, cost, ETA) and its failures. With --watch, "
        + "follow it until it ends.")
final class StatusCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution or batch id.")
  String id;

  @Option(names = "--json", description = "Print it as JSON.")
  boolean json;

  @Option(names = {"-w", "--watch"}, description = "Follow it until it ends (redrawn on a "
      + "terminal, else a line per change), then exit as `rgrid run` would have for it: 0 "
      + "succeeded, the script's exit code, 124 timed out, 125 failed, 130 cancelled; a batch: "
      + "0 all succeeded, 1 any failed. Ctrl-C stops watching, not the work.")
  boolean watch;

  @Override
  int execute() throws Exception {
    if (watch) {
      return watch();
    }
    if (dev.rgrid.spi.BatchId.isBatchId(id)) {
      try (RGrid rgrid = client(0, null)) {
        return BatchStatus.print(rgrid, terminal, dev.rgrid.spi.BatchId.of(id), json);
      }
    }
    try (RGrid rgrid = client(0, null)) {
      ExecutionRecord r = rgrid.execution(Parsing.executionId(id)).record();
      if (json) {
        printJson(r);
        return ExitCodes.OK;
      }
      var out = terminal.out;
      out.println("Execution:  " + r.id());
      out.println("Status:     " + Formats.status(terminal, r.status()) + (r.cached()
          ? " (cached from " + r.cachedFrom() + ")" : ""));
      out.println("Script:     " + r.spec().scriptName() + " " + String.join(" ", r.spec().args()));
      out.println("Runtime:    " + r.spec().runtime());
      if (!r.spec().requirements().isEmpty()) {
        out.println("Requires:   " + String.join(", ", r.spec().requirements())
            + (r.spec().requirementsSource() == null ? "" : " (" + r.spec().requirementsSource()
            + ")"));
      }
      out.println("Created:    " + Formats.time(r.createdAt()));
      if (r.startedAt() != null) {
        out.println("Started:    " + Formats.time(r.startedAt()));
      }
      if (r.finishedAt() != null) {
        out.println("Finished:   " + Formats.time(r.finishedAt()));
      }
      r.duration().ifPresent(d -> out.println("Duration:   " + Formats.duration(d)));
      if (r.exitCode() != null) {
        out.println("Exit code:  " + r.exitCode());
      }
      if (r.failure() != null) {
        out.println("Failure:    " + r.failure().kind().code() + ": " + r.failure().message());
        if (r.failure().hint() != null) {
          out.println("Hint:       " + r.failure().hint());
        }
      }
      out.println("Cost:       " + dev.rgrid.core.CostReport.format(r.costMicros()));
      if (r.spec().batchId() != null) {
        out.println("Batch:      " + r.spec().batchId());
      }
      for (var link : r.spec().parents()) {
        out.println("After:      " + link.target() + (link.glob() == null ? ""
            : " (takes its " + link.glob() + ")"));
      }
      if (r.retryOf() != null) {
        out.println("Retry of:   " + r.retryOf());
      }
      if (r.retriedBy() != null) {
        out.println("Retried by: " + r.retriedBy());
      }
      out.println("Attempt:    " + r.attempt() + (r.workerId() == null ? "" : " on " + r.workerId()));
      if (!r.spec().labels().isEmpty()) {
        out.println("Labels:     " + Formats.labels(r.spec().labels()));
      }
      if (r.logTruncated()) {
        out.println("Log:        truncated (the output exceeded the stored log's cap)");
      }
      out.println("History:");
      for (StatusTransition t : r.transitions()) {
        out.println("  " + Formats.time(t.at()) + "  " + t.status() + " (attempt " + t.attempt()
            + ")");
      }
      terminal.note("see its output with `rgrid logs " + r.id() + "`");
      return ExitCodes.OK;
    }
  }

  private int watch() throws Exception {
    if (json) {
      throw new dev.rgrid.core.InvalidRunSpecException("--watch cannot be used with --json",
          "leave one out; `rgrid status --json ID` reads the state once");
    }
    boolean batch = dev.rgrid.spi.BatchId.isBatchId(id);
    dev.rgrid.spi.ExecutionId execution = batch ? null : Parsing.executionId(id);
    // The interruption is closed after the RGrid: Ctrl-C waits for the close, cancelling nothing.
    try (Interruption interruption = new Interruption(terminal);
        RGrid rgrid = client(0, null)) {
      interruption.onInterrupt(() -> { });
      StatusWatch watching = new StatusWatch(terminal, interruption);
      return batch ? watching.batch(rgrid, dev.rgrid.spi.BatchId.of(id))
          : watching.execution(rgrid, execution);
    }
  }
}
