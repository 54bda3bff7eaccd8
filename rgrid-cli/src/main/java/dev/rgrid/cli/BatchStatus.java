package dev.rgrid.cli;

import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.CostReport;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.InputFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code rgrid status BATCH_ID}: a stored batch's progress and its failures. */
final class BatchStatus {
  /** The label naming the input folder of a run of a batch fed by another batch's runs. */
  private static final String FED_ITEM_LABEL = "rgrid.item";
  /**
   * The label of the run standing for a batch fanned out from a run that had not ended, until
   * the batch is expanded into its runs.
   */
  private static final String FAN_OUT_LABEL = "rgrid.fan-out";

  private BatchStatus() {}

  static int print(RGrid rgrid, Terminal terminal, BatchId id, boolean json) throws Exception {
    BatchRecord batch = rgrid.batchRecord(id);
    BatchProgress p = rgrid.batchProgress(id);
    List<ExecutionRecord> failed = failures(rgrid, id, BatchRun.SHOWN_FAILURES);
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>(BatchProgressView.json(id.value(), p));
      out.put("script", batch.scriptName());
      out.put("runtime", batch.runtime());
      out.put("parallel", batch.parallel());
      out.put("createdAt", batch.createdAt().toString());
      List<Map<String, Object>> list = new ArrayList<>();
      for (ExecutionRecord r : failed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("execution", r.id().value());
        m.put("input", input(r));
        m.put("status", r.status().name());
        m.put("reason", BatchRun.reason(r));
        list.add(m);
      }
      out.put("failures", list);
      terminal.out.println(BaseCommand.JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(out));
      return ExitCodes.OK;
    }
    var out = terminal.out;
    out.println("Batch:      " + id);
    out.println("Script:     " + batch.scriptName() + " (" + batch.runtime() + ")");
    out.println("Created:    " + Formats.time(batch.createdAt()));
    out.println("Inputs:     " + (batch.size() == 0 && p.total() <= 1 && !p.done()
        ? "not known yet: fans out from a run that has not ended (`rgrid list --batch " + id
            + "`)" : Math.max(batch.size(), p.total())) + ", at most " + batch.parallel()
        + " at once");
    out.println("Succeeded:  " + p.succeeded() + (p.cached() > 0 ? " (" + p.cached()
        + " cached)" : ""));
    out.println("Failed:     " + p.failed());
    out.println("Cancelled:  " + p.cancelled());
    out.println("Running:    " + p.running());
    out.println("Queued:     " + p.queued());
    out.println("Cost:       " + CostReport.format(p.costMicros()));
    out.println("Elapsed:    " + BatchProgressView.duration(p.elapsed())
        + p.eta().map(e -> " (ETA " + BatchProgressView.duration(e) + ")").orElse(""));
    if (!failed.isEmpty()) {
      out.println("Failures:");
      for (ExecutionRecord r : failed) {
        out.println("  " + r.id() + "  " + input(r) + ": " + BatchRun.reason(r));
      }
      if (p.failed() > failed.size()) {
        out.println("  … and " + (p.failed() - failed.size()) + " more: `rgrid list --batch "
            + id + " --status failed,timed_out,skipped`");
      }
      terminal.note("rerun them with `rgrid retry --batch " + id + " --failed-only`");
    }
    return ExitCodes.OK;
  }

  /**
   * The latest failed, timed-out or skipped executions of a batch that were not retried, at most
   * max.
   */
  static List<ExecutionRecord> failures(RGrid rgrid, BatchId id, int max) {
    List<ExecutionRecord> out = new ArrayList<>();
    dev.rgrid.spi.ExecutionId before = null;
    while (out.size() < max) {
      // Skipped ones too: a run of a batch fed by another's is skipped when its parent failed.
      var page = rgrid.list(new ExecutionQuery(Set.of(ExecutionStatus.FAILED,
          ExecutionStatus.TIMED_OUT, ExecutionStatus.SKIPPED), Map.of(), id.value(), before,
          200));
      for (ExecutionRecord r : page.items()) {
        if (r.retriedBy() == null && out.size() < max) {
          out.add(r);
        }
      }
      if (page.items().size() < 200) {
        break;
      }
      before = page.items().get(page.items().size() - 1).id();
    }
    return out;
  }

  /** The input an execution of a batch ran on, as staged (its name in the working directory). */
  static String input(ExecutionRecord r) {
    if (r.spec().labels().containsKey(FAN_OUT_LABEL) && r.spec().parents().size() == 1) {
      // The whole batch, fanned out from that run's outputs: it never got as far as its runs.
      var source = r.spec().parents().get(0);
      return source.target() + ":" + source.glob();
    }
    String item = r.spec().labels().get(FED_ITEM_LABEL);
    if (item != null) {
      return item; // fed by another batch's run: named after that run's input, as downloaded
    }
    List<InputFile> inputs = r.spec().inputs();
    return inputs.isEmpty() ? String.join(" ", r.spec().args())
        : inputs.get(inputs.size() - 1).path();
  }
}
