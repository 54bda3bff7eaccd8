package dev.rgrid.cli;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.SpendingStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid limit set|show|remove}: the monthly spending limit. */
@Command(name = "limit", mixinStandardHelpOptions = true,
    description = {"The monthly spending limit (UTC calendar months). Alerts are raised once per "
        + "threshold per month; once the limit is reached, new runs are refused (cache hits, "
        + "which cost nothing, are not)."},
    subcommands = {LimitCommand.Set.class, LimitCommand.Show.class, LimitCommand.Remove.class})
final class LimitCommand extends BaseCommand {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  int execute() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a limit command: rgrid limit set AMOUNT, rgrid limit show, or rgrid limit remove");
  }

  /** {@code rgrid limit set AMOUNT}. */
  @Command(name = "set", mixinStandardHelpOptions = true, description = "Set the limit.")
  static final class Set extends BaseCommand {
    @Parameters(index = "0", paramLabel = "AMOUNT",
        description = "Per month: 50, 50.50, €50 or '50 EUR' (at most 6 decimals).")
    String amount;

    @Option(names = "--thresholds", paramLabel = "P,P,...", split = ",",
        description = "Percentages at which to alert (default 50,80,100).")
    List<String> thresholds = new ArrayList<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    int execute() {
      long micros = CostReport.parseAmount(amount);
      List<Integer> percents = new ArrayList<>();
      for (String t : thresholds) {
        try {
          percents.add(Integer.parseInt(t.trim().replace("%", "")));
        } catch (NumberFormatException e) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--thresholds takes percentages like 50,80,100, not '" + t + "'");
        }
      }
      try (RGrid rgrid = client(0, null)) {
        rgrid.setSpendingLimit(micros, percents);
        terminal.note("monthly limit set to " + CostReport.format(micros) + "; "
            + describe(rgrid.spending()));
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid limit show}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show the limit and this month's spending.")
  static final class Show extends BaseCommand {
    @Option(names = "--json", description = "Print it as JSON (amounts in micros).")
    boolean json;

    @Override
    int execute() throws Exception {
      try (RGrid rgrid = client(0, null)) {
        SpendingStatus status = rgrid.spending();
        if (json) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("month", status.month().toString());
          out.put("spentMicros", status.spentMicros());
          out.put("limitMicros", status.limit().map(l -> l.limitMicros()).orElse(null));
          out.put("thresholdsPercent", status.limit().map(l -> l.thresholdsPercent())
              .orElse(null));
          out.put("remainingMicros", status.remainingMicros().orElse(null));
          printJson(out);
        } else {
          terminal.out.println(describe(status));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid limit remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove the limit.")
  static final class Remove extends BaseCommand {
    @Override
    int execute() {
      try (RGrid rgrid = client(0, null)) {
        rgrid.setSpendingLimit(null, null);
        terminal.note("no monthly limit any more");
        return ExitCodes.OK;
      }
    }
  }

  static String describe(SpendingStatus s) {
    String spent = CostReport.format(s.spentMicros()) + " spent in " + s.month();
    return s.limit().map(l -> spent + " of a " + CostReport.format(l.limitMicros())
        + " limit (alerts at " + l.thresholdsPercent() + "%), "
        + CostReport.format(s.remainingMicros().orElse(0L)) + " left")
        .orElse(spent + ", no limit");
  }
}
