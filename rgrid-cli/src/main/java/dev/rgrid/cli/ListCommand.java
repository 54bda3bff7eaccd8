package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rgrid list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List executions (or, with --batches, batches), newest first.")
final class ListCommand extends BaseCommand {
  @Option(names = {"-s", "--status"}, paramLabel = "STATUS", split = ",",
      description = "Only these statuses (waiting, queued, running, succeeded, failed, "
          + "timed_out, cancelled, skipped).")
  List<String> statuses = new ArrayList<>();

  @Option(names = {"-l", "--label"}, paramLabel = "K=V", description = "Only with this label.")
  List<String> labels = new ArrayList<>();

  @Option(names = {"-b", "--batch"}, paramLabel = "BATCH_ID",
      description = "Only the executions of this batch.")
  String batch;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20",
      description = "At most N executions or batches (1-1000, default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--batches", description = "List batches instead, with how many of their "
      + "inputs are in each state and what they cost so far.")
  boolean batches;

  @Option(names = "--json", description = "Print them as JSON.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  int execute() throws Exception {
    if (limit < 1 || limit > 1000) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--limit must be between 1 and 1000, was " + limit);
    }
    if (batches) {
      if (!statuses.isEmpty() || !labels.isEmpty() || batch != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--batches lists every batch: leave out --status, --label and --batch");
      }
      try (RGrid rgrid = client(0, null)) {
        BatchList.print(terminal, rgrid.batches(null, limit), json);
        return ExitCodes.OK;
      }
    }
    Set<ExecutionStatus> wanted = EnumSet.noneOf(ExecutionStatus.class);
    for (String s : statuses) {
      try {
        wanted.add(ExecutionStatus.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown status '" + s
            + "'; known: " + java.util.Arrays.stream(ExecutionStatus.values())
            .map(x -> x.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors
            .joining(", ")));
      }
    }
    try (RGrid rgrid = client(0, null)) {
      ExecutionPage page = rgrid.list(new ExecutionQuery(wanted,
          Parsing.pairs(labels, "a label"),
          batch == null ? null : dev.rgrid.spi.BatchId.of(batch).value(), null, limit));
      if (json) {
        printJson(page.items());
        return ExitCodes.OK;
      }
      if (page.items().isEmpty()) {
        terminal.note("no executions match");
        return ExitCodes.OK;
      }
      terminal.out.printf("%-31s  %-10s  %-19s  %8s  %4s  %s%n", "ID", "STATUS", "CREATED",
          "DURATION", "EXIT", "SCRIPT");
      for (ExecutionRecord r : page.items()) {
        String status = String.format("%-10s", r.status());
        terminal.out.printf("%-31s  %s  %-19s  %8s  %4s  %s%n", r.id(),
            status.replace(r.status().name(), Formats.status(terminal, r.status())),
            Formats.time(r.createdAt()), r.duration().map(Formats::duration).orElse("-"),
            r.exitCode() == null ? "-" : r.exitCode(), r.spec().scriptName());
      }
      return ExitCodes.OK;
    }
  }
}
