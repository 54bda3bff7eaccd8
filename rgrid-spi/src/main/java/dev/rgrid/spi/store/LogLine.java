package dev.rgrid.spi.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored line of an execution's output, without its line terminator.
 *
 * @param seq its sequence number within the execution, from 1, increasing by 1 across both streams
 * @param stream where it came from
 * @param at when RGrid read it
 * @param text the line, decoded as UTF-8 with malformed bytes replaced by U+FFFD
 */
public record LogLine(long seq, LogStream stream, Instant at, String text) {
  /** Checks the values. */
  public LogLine {
    if (seq < 1) {
      throw new IllegalArgumentException("seq < 1");
    }
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(text, "text");
  }
}
