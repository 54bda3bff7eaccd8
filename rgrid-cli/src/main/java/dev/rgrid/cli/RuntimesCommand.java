package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rgrid runtimes}. */
@Command(name = "runtimes", mixinStandardHelpOptions = true,
    description = "List the runtimes scripts can run in.")
final class RuntimesCommand extends BaseCommand {
  @Option(names = "--json", description = "Print them as JSON.")
  boolean json;

  @Override
  int execute() throws Exception {
    try (RGrid rgrid = client(0, null)) {
      List<RuntimeDefinition> all = rgrid.runtimes().all();
      if (json) {
        printJson(all);
        return ExitCodes.OK;
      }
      String defaultName = rgrid.runtimes().defaultRuntime().name();
      terminal.out.printf("%-12s  %-20s  %-8s  %s%n", "NAME", "IMAGE", "SUFFIX", "ALIASES");
      for (RuntimeDefinition r : all) {
        List<String> aliases = new ArrayList<>();
        for (Map.Entry<String, String> a : rgrid.runtimes().aliases().entrySet()) {
          if (a.getValue().equals(r.name())) {
            aliases.add(a.getKey());
          }
        }
        aliases.sort(null);
        terminal.out.printf("%-12s  %-20s  %-8s  %s%n",
            r.name() + (r.name().equals(defaultName) ? "*" : ""), r.image(), r.scriptSuffix(),
            String.join(",", aliases));
      }
      terminal.note("* the default" + rgrid.placement().runtime()
          .map(r -> "; scripts run with the '" + r.name() + "' runtime").orElse(""));
      return ExitCodes.OK;
    }
  }
}
