package dev.rgrid.core.internal.engine;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.time.Instant;
import java.util.List;

/**
 * Says in an execution's log that an attempt was lost with its worker, so its log never has a
 * silent gap: whoever finds the attempt lost (the worker that claims it next) writes one marker
 * line between the lost attempt's output and the next attempt's.
 */
final class LostAttempts {
  private final EngineContext ctx;

  LostAttempts(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Appends the marker for {@code lost} (a RUNNING record whose worker stopped answering), found
   * lost at {@code now}: it runs again as {@code next}, or not at all when {@code next} is past
   * the {@code allowed} attempts.
   */
  void mark(ExecutionRecord lost, int next, int allowed, Instant now) {
    String then = next > allowed ? "no attempts left (" + allowed + " in all)"
        : "running again as attempt " + next + " of " + allowed;
    ctx.store().appendLogs(lost.id(), List.of(new LogLine(ctx.store().lastLogSeq(lost.id()) + 1,
        LogStream.SYSTEM, now, text(lost, now) + "; " + then)));
  }

  /** The first part of the marker: which attempt, on which worker, found lost when. */
  static String text(ExecutionRecord lost, Instant now) {
    return "[rgrid] attempt " + lost.attempt() + " lost with worker " + lost.workerId()
        + " (found at " + now + ")";
  }
}
