package dev.rgrid.cli;

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
        + "runs twice. The exit code is the retry's, as with `rgrid run`."})
final class RetryCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution to run again.")
  String id;

  @Option(names = "--detach",
      description = "Return at once; a background rgrid process runs it.")
  boolean detach;

  @Option(names = "--json", description = "Print the retry's final record as JSON.")
  boolean json;

  @Override
  int execute() throws Exception {
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = open(detach ? 0 : 2)) {
      Execution retry = rgrid.retry(executionId);
      if (!json) {
        terminal.out.println(retry.id());
        terminal.out.flush();
      }
      terminal.note(retry.id() + " retries " + executionId);
      if (detach) {
        AgentCommand.spawn(null);
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
}
