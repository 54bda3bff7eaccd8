package dev.rgrid.core;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;

/**
 * Hears what happens to an execution while this RGrid instance runs it. Every method has a no-op
 * default. Calls come from RGrid's worker threads: keep them short and do not block.
 */
public interface ExecutionListener {
  /** The execution changed status; {@code record} is the stored state after the change. */
  default void onStatus(ExecutionRecord record) {}

  /**
   * Raw bytes the script wrote, exactly as written, as they arrive (binary included). Only for
   * executions this instance runs; {@code bytes} belongs to the listener.
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
