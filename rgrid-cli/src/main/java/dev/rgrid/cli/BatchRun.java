package dev.rgrid.cli;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;

/**
 * {@code rgrid run --batch GLOB … SCRIPT ARGS}: submits one execution per input, shows progress
 * (a bar on a terminal, a line every few seconds otherwise, JSON lines with {@code --json}),
 * downloads each input's outputs into its own folder, and ends with a summary naming every
 * failure. The exit code is {@link ExitCodes#SOME_FAILED} when any input failed.
 */
final class BatchRun {
  /** Failures listed one by one in the summary; the rest are counted. */
  static final int SHOWN_FAILURES = 20;
  private static final Duration TICK = Duration.ofMillis(200);
  private static final Duration PLAIN_EVERY = Duration.ofSeconds(5);

  private final Terminal terminal;
  private final boolean json;
  private final boolean bar;
  private final List<Failure> failures = new ArrayList<>();
  private int failureCount;

  /** One failed input, for the summary. */
  record Failure(String input, String executionId, String reason) {}

  private final Interruption interruption;

  BatchRun(Terminal terminal, boolean json, Interruption interruption) {
    this.terminal = terminal;
    this.json = json;
    this.interruption = interruption;
    // A bar only where someone watches: stderr is a terminal and nothing asked for quiet.
    this.bar = !json && !terminal.quiet() && terminal.invocation().interactive()
        && terminal.invocation().env("RGRID_PLAIN_PROGRESS") == null;
  }

  /** Submits the batch, follows it to the end and downloads its outputs. */
  int run(RGrid rgrid, RunSpec template, UnaryOperator<BatchSpec.Builder> inputs,
      int parallel, Path outputDir, boolean flat, boolean remoteOnly) throws Exception {
    Batch batch = rgrid.batch(inputs.apply(BatchSpec.builder(template)).parallel(parallel).listener(new BatchListener() {
          @Override
          public void onItemEnded(BatchItem item, ExecutionRecord record) {
            ended(item, record);
          }
        }).build());
    if (rgrid.batchRecord(batch.id()).size() == 0 && !batch.items().isEmpty()) {
      // Fanned out from a run that has not ended: its runs are made when that run ends.
      terminal.note("batch " + batch.id() + ": inputs not known yet, made from the outputs of "
          + shown(batch.items().get(0).input()) + " once that run ends; at most " + parallel
          + " at once");
    } else {
      terminal.note("batch " + batch.id() + ": " + batch.items().size() + " input"
          + (batch.items().size() == 1 ? "" : "s") + ", at most " + parallel + " at once");
    }
    // Ctrl-C cancels what has not ended; the killed inputs end as CANCELLED, which ends the
    // wait below, and the RGrid is closed before the JVM exits.
    interruption.onInterrupt(() -> {
      int n = batch.cancel();
      terminal.note("cancelled " + n + " unfinished input" + (n == 1 ? "" : "s") + " of "
          + batch.id());
    });
    BatchProgress done = follow(batch);
    summary(batch.id().value(), done);
    Path dir = outputDir != null ? outputDir : terminal.invocation().resolve(Path.of("outputs"));
    List<Path> written = List.of();
    if (interruption.interrupted()) {
      terminal.note("interrupted: outputs not downloaded (`rgrid download EXECUTION_ID` fetches them)");
    } else if (!remoteOnly) {
      written = batch.downloadOutputs(dir, flat);
      if (!written.isEmpty()) {
        terminal.note(written.size() + " output file" + (written.size() == 1 ? "" : "s")
            + " in " + terminal.invocation().shown(dir) + (flat ? "" : " (one folder per input)"));
      }
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>(BatchProgressView.json(
          batch.id().value(), done));
      result.put("event", "summary");
      result.put("failures", failuresJson());
      result.put("outputDir", remoteOnly ? null : dir.toString());
      result.put("downloaded", written.size());
      jsonLine(result);
    }
    return exitCode(done);
  }

  /** The exit code for a batch that ended as {@code done}. */
  static int exitCode(BatchProgress done) {
    if (done.failed() > 0) {
      return ExitCodes.SOME_FAILED;
    }
    return done.cancelled() > 0 ? ExitCodes.CANCELLED : ExitCodes.OK;
  }

  private synchronized void ended(BatchItem item, ExecutionRecord record) {
    boolean failed = record == null || record.status() != dev.rgrid.spi.store.ExecutionStatus
        .SUCCEEDED && record.status() != dev.rgrid.spi.store.ExecutionStatus.CANCELLED;
    String reason = record == null ? item.error() : reason(record);
    if (failed) {
      failureCount++;
      if (failures.size() < SHOWN_FAILURES) {
        failures.add(new Failure(shown(item.input()), item.executionId() == null ? null
            : item.executionId().value(), reason));
      }
    }
    if (json) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("event", "item");
      line.put("input", shown(item.input()));
      line.put("folder", item.folder());
      line.put("execution", item.executionId() == null ? null : item.executionId().value());
      line.put("status", record == null ? "NOT_SUBMITTED" : record.status().name());
      line.put("cached", record != null && record.cached());
      line.put("exitCode", record == null ? null : record.exitCode());
      line.put("costMicros", record == null ? 0 : record.costMicros());
      line.put("reason", failed ? reason : null);
      jsonLine(line);
    }
  }

  private String shown(Path input) {
    return terminal.invocation().shown(input).toString();
  }

  static String reason(ExecutionRecord r) {
    if (r.failure() != null) {
      return r.failure().message();
    }
    return r.status().name().toLowerCase(java.util.Locale.ROOT);
  }

  private BatchProgress follow(Batch batch) throws InterruptedException {
    BatchProgressView.Throttle throttle = new BatchProgressView.Throttle(Clock.systemUTC(),
        PLAIN_EVERY);
    int width = width();
    while (true) {
      var finished = batch.await(TICK);
      BatchProgress p = finished.orElseGet(batch::progress);
      if (bar) {
        synchronized (terminal) {
          terminal.err.print("\r" + BatchProgressView.bar(p, width, terminal.colored())
              + "\u001b[K");
          terminal.err.flush();
        }
      } else if (!terminal.quiet() && !json && throttle.due(p)) {
        terminal.note(BatchProgressView.line(batch.id().value(), p));
      }
      if (finished.isPresent()) {
        if (bar) {
          terminal.err.println();
        }
        return p;
      }
    }
  }

  private int width() {
    try {
      String columns = terminal.invocation().env("COLUMNS");
      return columns == null ? 80 : Math.max(20, Math.min(400, Integer.parseInt(columns)));
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  private void summary(String batchId, BatchProgress done) {
    StringBuilder s = new StringBuilder("batch ").append(batchId).append(": ")
        .append(done.succeeded()).append(" succeeded");
    if (done.cached() > 0) {
      s.append(" (").append(done.cached()).append(" cached)");
    }
    s.append(", ").append(done.failed()).append(" failed");
    if (done.cancelled() > 0) {
      s.append(", ").append(done.cancelled()).append(" cancelled");
    }
    s.append(" of ").append(done.total()).append(" in ")
        .append(BatchProgressView.duration(done.elapsed())).append(", cost ")
        .append(dev.rgrid.core.CostReport.format(done.costMicros()));
    terminal.note(s.toString());
    List<Failure> shown;
    int total;
    synchronized (this) {
      shown = List.copyOf(failures);
      total = failureCount;
    }
    for (Failure f : shown) {
      terminal.note("  failed: " + f.input() + ": " + f.reason() + (f.executionId() == null ? ""
          : " (see `rgrid logs " + f.executionId() + "`)"));
    }
    if (total > shown.size()) {
      terminal.note("  … and " + (total - shown.size()) + " more: `rgrid list --batch "
          + batchId + " --status failed,timed_out`");
    }
    if (total > 0) {
      terminal.note("rerun only those with `rgrid retry --batch " + batchId + " --failed-only`");
    }
  }

  private synchronized List<Map<String, Object>> failuresJson() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Failure f : failures) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input", f.input());
      m.put("execution", f.executionId());
      m.put("reason", f.reason());
      out.add(m);
    }
    return out;
  }

  private void jsonLine(Map<String, Object> value) {
    try {
      String text = BaseCommand.JSON.writeValueAsString(value);
      synchronized (terminal) {
        terminal.out.println(text);
        terminal.out.flush();
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
  }
}
