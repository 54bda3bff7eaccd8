package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.core.pipeline.PipelineId;
import dev.rgrid.core.pipeline.PipelineStatus;
import dev.rgrid.core.pipeline.Pipelines;
import dev.rgrid.core.pipeline.Step;
import dev.rgrid.core.pipeline.StepState;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the pipeline commands show a pipeline: its plan, a line per step as it changes, the
 * summary, the exit code, and its status as text or JSON.
 */
final class PipelineProgress {
  /** How often a followed pipeline's state is read: a display refresh, not what starts steps. */
  private static final Duration REFRESH = Duration.ofMillis(200);
  /**
   * The pause after a read, as a multiple of what the read took. A read lists every run of the
   * pipeline, so on a pipeline of thousands of runs a 200 ms refresh would keep a core of a small
   * machine busy reading while the same machine's workers run the steps (a 600-run pipeline on
   * two cores ran 5 % slower than the same steps as sequential batches, whose progress is a
   * count): at 20 times, following costs at most about 5 % of one core.
   */
  private static final int PAUSE_PER_READ = 20;
  /** The longest pause: a step's change shows within it. */
  private static final Duration MAX_PAUSE = Duration.ofSeconds(3);

  private final Terminal terminal;

  PipelineProgress(Terminal terminal) {
    this.terminal = terminal;
  }

  /** {@code --dry-run}: the steps in order, what each waits for and takes; nothing runs. */
  void plan(Pipeline pipeline, String shown) {
    List<Step> steps = pipeline.steps();
    terminal.out.println("plan of " + shown + ": " + steps.size() + " step"
        + (steps.size() == 1 ? "" : "s") + ", in the order they are submitted (nothing runs)");
    int width = steps.stream().mapToInt(s -> s.name().length()).max().orElse(0);
    int n = 0;
    for (Step step : steps) {
      StringBuilder line = new StringBuilder(String.format("%3d  %-" + width + "s  %s", ++n,
          step.name(), step.script()));
      step.args().forEach(a -> line.append(' ').append(a));
      if (step.batch() != null) {
        line.append("  · once per file of ").append(step.batch());
      }
      if (step.batchFrom() != null) {
        line.append("  · once per run of ").append(step.batchFrom());
      }
      List<String> parents = step.parents();
      line.append(parents.isEmpty() ? "  · starts at once" : "  · after "
          + String.join(", ", parents));
      if (!step.from().isEmpty()) {
        line.append("  · takes ").append(String.join(", ", step.from().stream()
            .map(Step.StepOutput::toString).toList()));
      }
      terminal.out.println(line);
    }
  }

  /**
   * Prints a line per step each time its status changes until every step has ended, then the
   * summary; returns the exit code ({@link #exitCode}).
   */
  int follow(RGrid rgrid, PipelineId id) throws InterruptedException {
    Map<String, String> shown = new HashMap<>();
    while (true) {
      long read = System.nanoTime();
      PipelineStatus status = Pipelines.status(rgrid, id);
      long tookMillis = (System.nanoTime() - read) / 1_000_000L;
      int width = status.steps().stream().mapToInt(s -> s.name().length()).max().orElse(0);
      for (StepState step : status.steps()) {
        String key = step.status() + (step.cached() ? "/cached" : "");
        if (!key.equals(shown.put(step.name(), key))) {
          terminal.out.println(String.format("  %-" + width + "s  %s", step.name(),
              describe(step)));
          terminal.out.flush();
        }
      }
      if (status.ended()) {
        terminal.out.println(summary(status));
        return exitCode(status);
      }
      Thread.sleep(Math.min(MAX_PAUSE.toMillis(),
          Math.max(REFRESH.toMillis(), tookMillis * PAUSE_PER_READ)));
    }
  }

  /**
   * 0 when every step succeeded; {@link ExitCodes#SOME_FAILED} when a step failed or timed out
   * (its descendants are skipped: the failure is the cause to report); {@link
   * ExitCodes#CANCELLED} when a step was cancelled; {@link ExitCodes#SKIPPED} when steps were
   * skipped for another reason.
   */
  static int exitCode(PipelineStatus status) {
    if (status.count(ExecutionStatus.FAILED) + status.count(ExecutionStatus.TIMED_OUT) > 0) {
      return ExitCodes.SOME_FAILED;
    }
    if (status.count(ExecutionStatus.CANCELLED) > 0) {
      return ExitCodes.CANCELLED;
    }
    return status.count(ExecutionStatus.SKIPPED) > 0 ? ExitCodes.SKIPPED : ExitCodes.OK;
  }

  /** One line: how many steps ended how. */
  static String summary(PipelineStatus status) {
    List<String> parts = new ArrayList<>();
    long cached = status.steps().stream().filter(StepState::cached).count();
    for (ExecutionStatus s : ExecutionStatus.values()) {
      long n = status.count(s);
      if (n > 0) {
        parts.add(n + " " + s.name().toLowerCase().replace('_', ' ')
            + (s == ExecutionStatus.SUCCEEDED && cached > 0 ? " (" + cached + " cached)" : ""));
      }
    }
    return status.id() + ": " + String.join(", ", parts);
  }

  /** A step's status as a line shows it. */
  static String describe(StepState step) {
    String status = step.status().name().toLowerCase().replace('_', ' ');
    if (step.batchId() != null) {
      long ended = step.runs().stream().filter(r -> r.status().isTerminal()).count();
      status += " (" + ended + " of " + step.runs().size() + " ended, " + step.batchId() + ")";
    } else {
      ExecutionRecord run = step.runs().get(0);
      status += "  " + run.id();
      if (run.failure() != null && step.ended()) {
        // A skipped run's message starts with "skipped:" already; the line says it once.
        status += ": " + run.failure().message().replaceFirst("^skipped: ", "");
      }
    }
    return step.cached() ? status + " (cached)" : status;
  }

  /** {@code rgrid pipeline status}: one line per step. */
  void print(PipelineStatus status) {
    int width = status.steps().stream().mapToInt(s -> s.name().length()).max().orElse(0);
    for (StepState step : status.steps()) {
      terminal.out.println(String.format("%-" + width + "s  %s", step.name(), describe(step)));
    }
    terminal.out.println(summary(status));
  }

  /** {@code rgrid pipeline status --json}. */
  static Map<String, Object> json(PipelineStatus status) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", status.id().value());
    out.put("source", status.source());
    out.put("ended", status.ended());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepState step : status.steps()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", step.name());
      s.put("status", step.status());
      s.put("cached", step.cached());
      s.put("batch", step.batchId());
      s.put("runs", step.runs().stream().map(r -> {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", r.id().value());
        run.put("status", r.status());
        run.put("cached", r.cached());
        run.put("failure", r.failure() == null ? null : r.failure().message());
        return run;
      }).toList());
      steps.add(s);
    }
    out.put("steps", steps);
    return out;
  }
}
