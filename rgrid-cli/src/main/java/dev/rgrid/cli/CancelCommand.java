package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rgrid cancel ID}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a queued or running execution (a running one is killed).")
final class CancelCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution id.")
  String id;

  @Override
  int execute() {
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = open(0)) {
      if (rgrid.cancel(executionId)) {
        terminal.note("cancelling " + executionId);
      } else {
        terminal.note(executionId + " had already ended ("
            + rgrid.execution(executionId).status() + ")");
      }
      return ExitCodes.OK;
    }
  }
}
