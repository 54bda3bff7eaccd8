package dev.rgrid.spi.runtime;

/**
 * Receives a container's output as it is produced, stdout and stderr kept apart. Called from the
 * runtime's reader threads; calls for one stream arrive in order.
 */
public interface OutputSink {
  /** Which stream. */
  enum Stream {
    /** Standard output. */
    STDOUT,
    /** Standard error. */
    STDERR
  }

  /** A chunk of bytes; the array may be reused after the call returns. */
  void write(Stream stream, byte[] bytes, int offset, int length);

  /** The stream has ended; no more writes for it follow. */
  default void closed(Stream stream) {}
}
