package dev.rgrid.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the server listens and what it accepts.
 *
 * @param host the address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} for every one)
 * @param port the port, or 0 for any free one
 * @param maxJsonBytes the largest JSON request body
 * @param maxBlobBytes the largest blob upload
 * @param uploadDirectory where uploads are spooled before they are stored (default: the system
 *     temporary directory)
 * @param logPoll how often live log streams look for new lines when no change notification came
 *     (stores that cannot notify across processes, notifications lost in a reconnection)
 */
public record ServerOptions(String host, int port, long maxJsonBytes, long maxBlobBytes,
    Path uploadDirectory, java.time.Duration logPoll) {
  /** Checks the values. */
  public ServerOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (maxJsonBytes < 1 || maxBlobBytes < 1) {
      throw new IllegalArgumentException("body limits must be positive");
    }
    uploadDirectory = uploadDirectory == null
        ? Path.of(System.getProperty("java.io.tmpdir")) : uploadDirectory;
    logPoll = logPoll == null ? java.time.Duration.ofSeconds(1) : logPoll;
    if (logPoll.toMillis() < 10) {
      throw new IllegalArgumentException("logPoll must be at least 10 ms, was " + logPoll);
    }
  }

  /** Loopback on {@code port}, 1 MiB of JSON, 10 GiB per blob. */
  public static ServerOptions defaults(int port) {
    return new ServerOptions("127.0.0.1", port, 1L << 20, 10L << 30, null, null);
  }

  /** The same on another address. */
  public ServerOptions withHost(String value) {
    return new ServerOptions(value, port, maxJsonBytes, maxBlobBytes, uploadDirectory, logPoll);
  }

  /** The same with another blob size limit. */
  public ServerOptions withMaxBlobBytes(long value) {
    return new ServerOptions(host, port, maxJsonBytes, value, uploadDirectory, logPoll);
  }

  /** The same with another log stream poll interval. */
  public ServerOptions withLogPoll(java.time.Duration value) {
    return new ServerOptions(host, port, maxJsonBytes, maxBlobBytes, uploadDirectory, value);
  }
}
