package dev.rgrid.cli;

import dev.rgrid.core.BatchListing;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.CostReport;
import dev.rgrid.spi.store.BatchRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code rgrid list --batches}: the batches, newest first, with their counts, as a table or JSON. */
final class BatchList {
  private BatchList() {}

  /** Prints {@code batches} to the terminal: a table, or JSON when {@code json}. */
  static void print(Terminal terminal, List<BatchListing> batches, boolean json)
      throws Exception {
    if (json) {
      terminal.out.println(BaseCommand.JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(batches.stream().map(BatchList::asJson).toList()));
      return;
    }
    if (batches.isEmpty()) {
      terminal.note("no batches yet: `rgrid run --batch 'data/*.csv' job.py` makes one");
      return;
    }
    String format = "%-32s  %-19s  %6s  %6s  %7s  %9s  %6s  %9s  %10s  %s%n";
    terminal.out.printf(format, "ID", "CREATED", "INPUTS", "QUEUED", "RUNNING", "SUCCEEDED",
        "FAILED", "CANCELLED", "COST", "SCRIPT");
    for (BatchListing l : batches) {
      BatchRecord b = l.batch();
      BatchProgress p = l.progress();
      terminal.out.printf(format, b.id(), Formats.time(b.createdAt()), p.total(), p.queued(),
          p.running(), p.succeeded(), p.failed(), p.cancelled(),
          CostReport.format(p.costMicros()), b.scriptName());
    }
  }

  private static Map<String, Object> asJson(BatchListing l) {
    BatchRecord b = l.batch();
    BatchProgress p = l.progress();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", b.id().value());
    out.put("createdAt", b.createdAt().toString());
    out.put("script", b.scriptName());
    out.put("runtime", b.runtime());
    out.put("size", b.size());
    out.put("parallel", b.parallel());
    out.put("labels", b.labels());
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("total", p.total());
    progress.put("queued", p.queued());
    progress.put("running", p.running());
    progress.put("succeeded", p.succeeded());
    progress.put("failed", p.failed());
    progress.put("cancelled", p.cancelled());
    progress.put("cached", p.cached());
    progress.put("costMicros", p.costMicros());
    progress.put("done", p.done());
    out.put("progress", progress);
    return out;
  }
}
