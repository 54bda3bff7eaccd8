package dev.rgrid.cli;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.RGrid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid estimate [--batch GLOB]... SCRIPT}. */
@Command(name = "estimate", mixinStandardHelpOptions = true,
    description = {"Estimate what running SCRIPT (over the inputs of --batch) would cost, from "
        + "the median run time of past successful runs of the same script, else of the same "
        + "runtime, at this machine's hourly price. States its assumptions."})
final class EstimateCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "SCRIPT", description = "The script.")
  Path script;

  @Option(names = "--batch", paramLabel = "GLOB",
      description = "Inputs, one execution each (repeatable; ** for any depth).")
  List<String> globs = new ArrayList<>();

  @Option(names = "--runtime", paramLabel = "NAME", description = "Runtime (default from the "
      + "script's suffix).")
  String runtime;

  @Option(names = "--json", description = "Print the estimate as JSON (amounts in micros).")
  boolean json;

  @Override
  int execute() throws Exception {
    try (RGrid rgrid = client(0, null)) {
      Estimate e = rgrid.estimate(script, runtime, globs, terminal.invocation().cwd().toAbsolutePath());
      if (json) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("inputs", e.inputs());
        out.put("basis", e.basis());
        out.put("samples", e.samples());
        out.put("medianRunTimeMillis", e.medianRunTime().map(d -> d.toMillis()).orElse(null));
        out.put("hourlyMicros", e.hourlyMicros());
        out.put("costMicros", e.costMicros().orElse(null));
        out.put("assumptions", e.assumptions());
        printJson(out);
        return ExitCodes.OK;
      }
      terminal.out.println(e.inputs() + " execution" + (e.inputs() == 1 ? "" : "s") + ": "
          + e.costMicros().map(CostReport::format).orElse("unknown cost")
          + e.medianRunTime().map(d -> " (median run time " + Formats.duration(d) + " each)")
              .orElse(""));
      terminal.out.println("based on: " + e.basis());
      for (String a : e.assumptions()) {
        terminal.out.println("assumes:  " + a);
      }
      return ExitCodes.OK;
    }
  }
}
