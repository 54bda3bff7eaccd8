package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rgrid cancel ID}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a queued or running execution (a running one is killed), or every "
        + "unfinished execution of a batch.")
final class CancelCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution or batch id.")
  String id;

  @Override
  int execute() {
    if (dev.rgrid.spi.BatchId.isBatchId(id)) {
      dev.rgrid.spi.BatchId batch = dev.rgrid.spi.BatchId.of(id);
      try (RGrid rgrid = client(0, null)) {
        int n = rgrid.cancelBatch(batch);
        terminal.note(n == 0 ? "nothing left to cancel in " + batch
            : "cancelling " + n + " execution" + (n == 1 ? "" : "s") + " of " + batch);
        return ExitCodes.OK;
      }
    }
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = client(0, null)) {
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
