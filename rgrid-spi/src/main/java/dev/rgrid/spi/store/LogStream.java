package dev.rgrid.spi.store;

/** Which stream a log line came from. */
public enum LogStream {
  /** The script's standard output. */
  STDOUT,
  /** The script's standard error. */
  STDERR,
  /** RGrid's own notes in the log, such as the truncation marker. */
  SYSTEM
}
