package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid logs [-f] ID}. */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Print an execution's stored output: stdout lines on stdout, stderr lines on "
        + "stderr. With -f, keep following until it ends.")
final class LogsCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution id.")
  String id;

  @Option(names = {"-f", "--follow"}, description = "Follow new lines until the execution ends.")
  boolean follow;

  @Option(names = "--after", paramLabel = "SEQ", description = "Only lines after this sequence "
      + "number.")
  long after;

  @Option(names = "--stdout-only", description = "Only stdout lines.")
  boolean stdoutOnly;

  @Option(names = "--stderr-only", description = "Only stderr lines.")
  boolean stderrOnly;

  @Override
  int execute() throws Exception {
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = client(0, null)) {
      rgrid.execution(executionId);
      if (follow) {
        ExecutionRecord done = rgrid.followLogs(executionId, after, this::print);
        terminal.note(done.id() + " " + done.status().name().toLowerCase(java.util.Locale.ROOT)
            + (done.exitCode() == null ? "" : " (exit code " + done.exitCode() + ")"));
        return ExitCodes.OK;
      }
      long cursor = after;
      while (true) {
        List<LogLine> lines = rgrid.logs(executionId, cursor, 1000);
        lines.forEach(this::print);
        if (lines.size() < 1000) {
          return ExitCodes.OK;
        }
        cursor = lines.get(lines.size() - 1).seq();
      }
    }
  }

  private void print(LogLine line) {
    terminal.logLine(line, !stderrOnly, !stdoutOnly);
  }
}
