package dev.rgrid.cli;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;

/**
 * How {@code rgrid run} tells the end of one execution: a note or a one-line error with its hint
 * on stderr, and the exit code a shell script can rely on (the script's own code when it failed
 * by itself, {@link ExitCodes} otherwise).
 */
final class RunReport {
  private RunReport() {}

  /**
   * Names the execution when no output of it is downloaded, so that the id is always told: its
   * {@code count} outputs stay remote ({@code --remote-only}), or it made none.
   */
  static void outputsNotDownloaded(Terminal terminal, ExecutionRecord done, int count) {
    if (count > 0) {
      terminal.note(done.id() + ": " + files(count) + " stay remote (`rgrid download " + done.id()
          + "` fetches them)");
    } else if (done.status() == ExecutionStatus.SUCCEEDED) {
      // A failed run is named by tell() with how it failed.
      terminal.note(done.id() + " succeeded; no output files");
    }
  }

  /** "1 output file", "2 output files". */
  static String files(int count) {
    return count + " output file" + (count == 1 ? "" : "s");
  }

  /** Says how {@code done} ended and returns the CLI's exit code for it. */
  static int tell(Terminal terminal, ExecutionRecord done) {
    String took = done.duration().map(d -> " in " + d.toMillis() / 1000.0 + "s").orElse("");
    if (done.status() == ExecutionStatus.SUCCEEDED) {
      if (done.cached()) {
        terminal.note(done.id() + " reused the result of " + done.cachedFrom()
            + " (identical run; --no-cache runs it again)");
      }
      return ExitCodes.OK;
    }
    String message = done.failure() == null ? done.status().toString() : done.failure().message();
    String hint = done.failure() == null ? null : done.failure().hint();
    switch (done.status()) {
      case TIMED_OUT -> {
        terminal.error(done.id() + " timed out" + took + ": " + message, hint);
        return ExitCodes.TIMED_OUT;
      }
      case CANCELLED -> {
        // Said by the main thread even after Ctrl-C: the interruption holds the JVM until the
        // RGrid is closed, after this line.
        terminal.note(done.id() + " cancelled");
        return ExitCodes.CANCELLED;
      }
      case SKIPPED -> {
        terminal.error(done.id() + " was " + message, hint);
        return ExitCodes.SKIPPED;
      }
      default -> {
        if (done.exitCode() != null && done.exitCode() != 0 && done.failure() != null
            && done.failure().kind() == FailureKind.SCRIPT_EXIT) {
          // The script's own failure: its stderr already said why; exit as it did.
          terminal.note(done.id() + " failed" + took + " (exit code " + done.exitCode() + ")");
          return done.exitCode() & 0xff;
        }
        terminal.error(done.id() + " failed: " + message, hint);
        return ExitCodes.RGRID_ERROR;
      }
    }
  }
}
