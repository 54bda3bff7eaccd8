package dev.rgrid.cli;

import dev.rgrid.core.Config;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.FailureKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid retry ID}. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"Run a failed, timed-out or cancelled execution again, as a new execution "
        + "linked to it (same script, inputs, arguments and batch). Prints the new id on stdout.",
        "Retrying an execution whose retry already runs or succeeded gives that retry; nothing "
        + "runs twice. The exit code is the retry's, as with `rgrid run`.",
        "With --batch BATCH_ID (or a batch's id as ID), retries every failed or timed-out (and, "
        + "without --failed-only, cancelled) execution of the batch that has no retry yet, "
        + "inside the batch and under its parallelism; exits 1 when any retry failed."})
final class RetryCommand extends BaseCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "ID",
      description = "The execution to run again (a batch's id is taken as --batch).")
  String id;

  @Option(names = {"-b", "--batch"}, paramLabel = "BATCH_ID",
      description = "Retry the unsuccessful executions of this batch instead.")
  String batch;

  @Option(names = "--failed-only", description = "With --batch: only failed and timed-out "
      + "executions, not cancelled ones.")
  boolean failedOnly;

  @Option(names = "--detach",
      description = "Return at once; a background rgrid process runs it.")
  boolean detach;

  @Option(names = "--json", description = "Print the retry's final record as JSON.")
  boolean json;

  @Override
  int execute() throws Exception {
    if (id != null && batch == null && dev.rgrid.spi.BatchId.isBatchId(id)) {
      // As cancel, status and download take either id: the id says which it is.
      batch = id;
      id = null;
    }
    if ((id == null) == (batch == null)) {
      throw new dev.rgrid.core.InvalidRunSpecException("name either an execution ID or "
          + "--batch BATCH_ID", "e.g. `rgrid retry exec_…` or `rgrid retry --batch batch_… "
          + "--failed-only`");
    }
    if (batch != null) {
      return retryBatch(dev.rgrid.spi.BatchId.of(batch));
    }
    if (failedOnly) {
      throw new dev.rgrid.core.InvalidRunSpecException("--failed-only only applies to --batch",
          "leave it out when retrying one execution");
    }
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = client(detach ? 0 : 2, null)) {
      Execution retry = rgrid.retry(executionId);
      if (!json) {
        terminal.out.println(retry.id());
        terminal.out.flush();
      }
      terminal.note(retry.id() + " retries " + executionId);
      if (detach) {
        if (runsHere(config(), false)) {
          runInBackground(config(), null); // else a server's or the cluster's workers run it
        }
        return ExitCodes.OK;
      }
      ExecutionRecord done = retry.await();
      if (json) {
        printJson(done);
      }
      return switch (done.status()) {
        case SUCCEEDED -> ExitCodes.OK;
        case TIMED_OUT -> ExitCodes.TIMED_OUT;
        case CANCELLED -> ExitCodes.CANCELLED;
        case SKIPPED -> ExitCodes.SKIPPED;
        default -> {
          if (done.failure() != null && done.failure().kind() == FailureKind.SCRIPT_EXIT
              && done.exitCode() != null) {
            terminal.note(retry.id() + " failed (exit code " + done.exitCode() + "); see "
                + "`rgrid logs " + retry.id() + "`");
            yield done.exitCode() & 0xff;
          }
          terminal.error(retry.id() + " failed: " + (done.failure() == null ? done.status()
              : done.failure().message()), done.failure() == null ? null : done.failure().hint());
          yield ExitCodes.RGRID_ERROR;
        }
      };
    }
  }

  private int retryBatch(dev.rgrid.spi.BatchId batchId) throws Exception {
    int parallel;
    try (RGrid rgrid = client(0, null)) {
      parallel = rgrid.batchRecord(batchId).parallel();
    }
    try (RGrid rgrid = client(detach ? 0 : Math.max(1, Math.min(parallel, 64)), null)) {
      java.util.List<Execution> retries = rgrid.retryBatch(batchId, failedOnly);
      if (retries.isEmpty()) {
        terminal.note("nothing to retry in " + batchId);
        return ExitCodes.OK;
      }
      terminal.note("retrying " + retries.size() + " execution" + (retries.size() == 1 ? ""
          : "s") + " of " + batchId);
      if (!json) {
        retries.forEach(r -> terminal.out.println(r.id()));
        terminal.out.flush();
      }
      if (detach) {
        if (runsHere(config(), false)) {
          runInBackground(config(), null); // else a server's or the cluster's workers run them
        }
        return ExitCodes.OK;
      }
      int failed = 0;
      java.util.List<ExecutionRecord> done = new java.util.ArrayList<>();
      for (Execution e : retries) {
        ExecutionRecord r = e.await();
        done.add(r);
        if (r.status() != dev.rgrid.spi.store.ExecutionStatus.SUCCEEDED) {
          failed++;
          terminal.note("  failed: " + BatchStatus.input(r) + ": " + BatchRun.reason(r)
              + " (see `rgrid logs " + r.id() + "`)");
        }
      }
      if (json) {
        printJson(done);
      }
      terminal.note(BatchProgressView.line(batchId.value(), rgrid.batchProgress(batchId)));
      return failed > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }
  }
}
