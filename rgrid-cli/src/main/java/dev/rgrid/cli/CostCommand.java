package dev.rgrid.cli;

import dev.rgrid.core.Config;
import dev.rgrid.core.CostReport;
import dev.rgrid.core.RGrid;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rgrid cost}. */
@Command(name = "cost", mixinStandardHelpOptions = true,
    description = {"What executions cost, by when they finished. Each costs its run time at its "
        + "worker's hourly price (price.local in ~/.rgrid/config.properties; 0 by default), "
        + "rounded up to the micro; cache hits cost nothing. Amounts are exact (integer micros)."})
final class CostCommand extends BaseCommand {
  @Option(names = "--since", paramLabel = "WHEN",
      description = "From (inclusive): 2026-11-01, 2026-11-01T10:00Z, 7d, 24h. Default: the "
          + "start of this month (UTC).")
  String since;

  @Option(names = "--until", paramLabel = "WHEN",
      description = "To (exclusive), same forms. Default: now.")
  String until;

  @Option(names = "--by", paramLabel = "GROUP", defaultValue = "total",
      description = "Group by day, runtime, batch, label or total (default ${DEFAULT-VALUE}).")
  String by;

  @Option(names = "--json", description = "Print the report as JSON (amounts in micros).")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Why every run cost nothing, and where prices are set: here, or on the server. */
  private static String unpriced() {
    Config config = Config.fromEnvironment();
    return config.server() != null
        ? "no prices set on the server, or only cache hits: its administrator sets price.local "
            + "(or each worker's price.*) in the server's config.properties"
        : "no prices set, or only cache hits: set price.local=EUR_PER_HOUR in "
            + config.configFile() + " (each `rgrid worker` its own price.*); see `rgrid cost "
            + "--help`";
  }

  @Override
  int execute() throws Exception {
    if (!CostReport.GROUPINGS.contains(by)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--by must be one of "
          + String.join(", ", CostReport.GROUPINGS) + ", was '" + by + "'");
    }
    try (RGrid rgrid = client(0, null)) {
      CostReport report = rgrid.costs(since, until, by);
      if (json) {
        printJson(report);
        return ExitCodes.OK;
      }
      terminal.out.printf("%-40s  %10s  %14s%n", by.toUpperCase(java.util.Locale.ROOT),
          "EXECUTIONS", "COST");
      for (CostReport.Line line : report.lines()) {
        terminal.out.printf("%-40s  %10d  %14s%n", line.key(), line.executions(),
            CostReport.format(line.micros()));
      }
      terminal.note(report.executions() + " execution" + (report.executions() == 1 ? "" : "s")
          + " finished from " + Formats.time(report.since()) + " to "
          + Formats.time(report.until()) + ": " + CostReport.format(report.totalMicros())
          + (report.unpriced() ? " (" + unpriced() + ")" : ""));
      return ExitCodes.OK;
    }
  }
}
