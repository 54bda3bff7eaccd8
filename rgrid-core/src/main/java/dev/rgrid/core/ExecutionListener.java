package dev.rgrid.core;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;

/**
 * Hears what happens to an execution, wherever it runs (see {@link RGrid#run}): from this
 * instance's workers as it happens; from other workers (a server's, the cluster's) as its log
 * lines are stored, through {@link FollowedExecution}. Every method has a no-op default. Calls
 * come from RGrid's threads: keep them short and do not block.
 */
public interface ExecutionListener {
  /** The execution changed status; {@code record} is the stored state after the change. */
  default void onStatus(ExecutionRecord record) {}

  /**
   * Bytes the script wrote, as they arrive: exactly as written (binary included) when this
   * instance runs it; each stored line and a newline, in UTF-8, when other workers run it. {@code
   * bytes} belongs to the listener.
   */
  default void onOutput(LogStream stream, byte[] bytes) {}

  /** A complete line of output, as stored (decoded, numbered). */
  default void onLogLine(LogLine line) {}

  /**
   * Something worth telling the user before the run starts, as one line: which Python
   * dependencies were detected and from where, local files that were left out. Called on the
   * submitting thread.
   */
  default void onNotice(String message) {}

  /** A listener that does nothing. */
  ExecutionListener NONE = new ExecutionListener() {};
}
