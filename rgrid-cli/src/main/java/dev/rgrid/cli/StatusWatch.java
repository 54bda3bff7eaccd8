package dev.rgrid.cli;

import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionRecord;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code rgrid status --watch ID}: follows an execution or a batch until it ends, then exits as
 * {@code rgrid run} would have for it. On a terminal one line is redrawn in place; otherwise a
 * line is printed each time the state changes, so a log of it stays readable. It only reads, at
 * {@link #EVERY}: Ctrl-C stops watching and leaves the work running.
 */
final class StatusWatch {
  /** How often the state is read: a person sees it move, the store is not kept busy. */
  static final Duration EVERY = Duration.ofMillis(500);

  private final Terminal terminal;
  private final Interruption interruption;
  private final boolean redraw;
  private String shown;

  StatusWatch(Terminal terminal, Interruption interruption) {
    this.terminal = terminal;
    this.interruption = interruption;
    // Redrawn only for a person: not when stdout (or stdin) is redirected.
    this.redraw = terminal.invocation().interactive();
  }

  /** Watches execution {@code id} to its end; returns its exit code. */
  int execution(RGrid rgrid, ExecutionId id) throws InterruptedException {
    ExecutionRecord first = rgrid.execution(id).record(); // an unknown id fails at once
    ExecutionRecord done = follow(() -> rgrid.find(id).orElse(first),
        r -> r.status().isTerminal(), this::line,
        r -> r.status() + " " + r.attempt() + " " + r.exitCode());
    if (done == null) {
      return ExitCodes.CANCELLED; // Ctrl-C: watching stopped, the execution goes on
    }
    return RunReport.tell(terminal, done);
  }

  /** Watches batch {@code id} to its end; returns its exit code, as {@code rgrid run --batch}. */
  int batch(RGrid rgrid, BatchId id) throws InterruptedException {
    rgrid.batchRecord(id); // an unknown batch fails at once
    // A change is a count that moved; the cost and the ETA move on their own.
    BatchProgress done = follow(() -> rgrid.batchProgress(id), BatchProgress::done,
        p -> BatchProgressView.line(id.value(), p), p -> p.queued() + " " + p.running() + " "
            + p.succeeded() + " " + p.failed() + " " + p.cancelled() + " " + p.cached());
    if (done == null) {
      return ExitCodes.CANCELLED;
    }
    if (done.failed() > 0) {
      terminal.note("see the failures with `rgrid status " + id + "`");
    }
    return BatchRun.exitCode(done);
  }

  /**
   * Reads {@code state} until it is {@code ended}, showing its {@code line} (printed anew when its
   * {@code change} key differs); null when interrupted.
   */
  private <T> T follow(Supplier<T> state, Predicate<T> ended, Function<T, String> line,
      Function<T, String> change) throws InterruptedException {
    while (true) {
      T now = state.get();
      show(line.apply(now), change.apply(now));
      if (ended.test(now)) {
        if (redraw) {
          terminal.out.println();
        }
        return now;
      }
      if (interruption.interrupted()) {
        if (redraw) {
          terminal.out.println();
        }
        return null;
      }
      Thread.sleep(EVERY.toMillis());
    }
  }

  private void show(String line, String change) {
    if (redraw) {
      terminal.out.print("\r" + line + "\u001b[K");
      terminal.out.flush();
    } else if (!change.equals(shown)) {
      terminal.out.println(line);
    }
    shown = change;
  }

  private String line(ExecutionRecord r) {
    StringBuilder s = new StringBuilder(r.id().value()).append(": ")
        .append(redraw ? Formats.status(terminal, r.status()) : r.status().name());
    if (r.attempt() > 1) {
      s.append(" (attempt ").append(r.attempt()).append(')');
    }
    if (r.exitCode() != null) {
      s.append(", exit code ").append(r.exitCode());
    }
    r.duration().ifPresent(d -> s.append(", ").append(Formats.duration(d)));
    return s.toString();
  }
}
