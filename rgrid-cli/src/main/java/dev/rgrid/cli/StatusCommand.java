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
        + "batch's progress (counts per status, cost, ETA) and its failures.")
final class StatusCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution or batch id.")
  String id;

  @Option(names = "--json", description = "Print it as JSON.")
  boolean json;

  @Override
  int execute() throws Exception {
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
}
