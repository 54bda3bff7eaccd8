package dev.rgrid.server;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param keyCacheTtl how long a server trusts an API key it verified without asking the store
 *     again (default 10 s; {@link Duration#ZERO} asks on every request): a revoked key is
 *     refused by every server at the latest this long after the revocation
 * @param idempotencyWindow how long an {@code Idempotency-Key} names what it created (default 24
 *     h, as at Stripe): the same key after that creates anew, and the server forgets keys this
 *     old (it prunes them at start and every hour)
 */
public record ServerOptions(String host, int port, long maxJsonBytes, long maxBlobBytes,
    Path uploadDirectory, Duration logPoll, Duration keyCacheTtl, Duration idempotencyWindow) {
  private static final Duration LONGEST_IDEMPOTENCY_WINDOW = Duration.ofDays(3650);

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
    logPoll = logPoll == null ? Duration.ofSeconds(1) : logPoll;
    if (logPoll.toMillis() < 10) {
      throw new IllegalArgumentException("logPoll must be at least 10 ms, was " + logPoll);
    }
    keyCacheTtl = keyCacheTtl == null ? Duration.ofSeconds(10) : keyCacheTtl;
    if (keyCacheTtl.isNegative()) {
      throw new IllegalArgumentException("keyCacheTtl cannot be negative, was " + keyCacheTtl);
    }
    idempotencyWindow = idempotencyWindow == null ? Duration.ofHours(24) : idempotencyWindow;
    if (idempotencyWindow.isNegative() || idempotencyWindow.isZero()
        || idempotencyWindow.compareTo(LONGEST_IDEMPOTENCY_WINDOW) > 0) {
      throw new IllegalArgumentException("idempotencyWindow must be positive and at most "
          + LONGEST_IDEMPOTENCY_WINDOW.toDays() + " days, was " + idempotencyWindow);
    }
  }

  /**
   * Loopback on {@code port}, 1 MiB of JSON, 10 GiB per blob, keys trusted for 10 s, idempotency
   * keys kept for 24 h.
   */
  public static ServerOptions defaults(int port) {
    return new ServerOptions("127.0.0.1", port, 1L << 20, 10L << 30, null, null, null, null);
  }

  /** The same on another address. */
  public ServerOptions withHost(String value) {
    return new ServerOptions(value, port, maxJsonBytes, maxBlobBytes, uploadDirectory, logPoll,
        keyCacheTtl, idempotencyWindow);
  }

  /** The same with another blob size limit. */
  public ServerOptions withMaxBlobBytes(long value) {
    return new ServerOptions(host, port, maxJsonBytes, value, uploadDirectory, logPoll,
        keyCacheTtl, idempotencyWindow);
  }

  /** The same with another log stream poll interval. */
  public ServerOptions withLogPoll(Duration value) {
    return new ServerOptions(host, port, maxJsonBytes, maxBlobBytes, uploadDirectory, value,
        keyCacheTtl, idempotencyWindow);
  }

  /**
   * The same with another time a verified API key is trusted ({@link Duration#ZERO}: every
   * request asks the store).
   */
  public ServerOptions withKeyCacheTtl(Duration value) {
    return new ServerOptions(host, port, maxJsonBytes, maxBlobBytes, uploadDirectory, logPoll,
        value, idempotencyWindow);
  }

  /**
   * The same with another time an {@code Idempotency-Key} names what it created (positive, at
   * most 3650 days); after it, the same key creates anew.
   */
  public ServerOptions withIdempotencyWindow(Duration value) {
    return new ServerOptions(host, port, maxJsonBytes, maxBlobBytes, uploadDirectory, logPoll,
        keyCacheTtl, value);
  }
}
