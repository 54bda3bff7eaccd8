package dev.rgrid.backend.docker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds bytes to a container's stdin through an attach connection of its own, then half-closes
 * that connection so that the engine (the container being created with {@code StdinOnce}) closes
 * the script's stdin: the script reads end-of-file exactly when the bytes end.
 *
 * <p>Why not docker-java: its attach cannot signal the end of stdin (3.7.1 never half-closes the
 * hijacked connection, and its Unix socket refuses {@code shutdownOutput}), so a script reading
 * stdin to the end would wait forever. The protocol needed here is one HTTP upgrade request and a
 * raw byte stream, on a {@link SocketChannel}, whose Unix-domain flavour supports the half-close.
 */
final class StdinFeeder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StdinFeeder.class);
  private static final int MAX_HEADER = 16 * 1024;
  private static final int BUFFER = 64 * 1024;

  private final SocketChannel channel;
  private final InputStream stdin;
  private final String name;

  private StdinFeeder(SocketChannel channel, InputStream stdin, String name) {
    this.channel = channel;
    this.stdin = stdin;
    this.name = name;
  }

  /**
   * Attaches to the stdin of container {@code id} on {@code endpoint}; nothing is fed before
   * {@link #start()}.
   *
   * @throws IOException when the engine cannot be reached or refuses the attach
   */
  static StdinFeeder attach(URI endpoint, String apiVersion, String id, InputStream stdin,
      String name, Duration timeout) throws IOException {
    SocketChannel channel = open(endpoint);
    try {
      String request = "POST /v" + apiVersion + "/containers/" + id
          + "/attach?stream=1&stdin=1&stdout=0&stderr=0 HTTP/1.1\r\n"
          + "Host: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n";
      writeFully(channel, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
      String status = readHeader(channel, timeout);
      // 101 when the engine honours the upgrade, 200 from engines that hijack without it.
      if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
        throw new IOException("the engine refused to attach to the stdin of " + name + ": "
            + status);
      }
      return new StdinFeeder(channel, stdin, name);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Starts feeding on a thread of its own; it ends when the container does. */
  void start() {
    Thread t = new Thread(this::feed, "rgrid-docker-stdin-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** Stops feeding: closes the connection and the source. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing the stdin connection of {} failed", name, e);
    }
    try {
      stdin.close();
    } catch (IOException e) {
      LOG.debug("closing the stdin source of {} failed", name, e);
    }
  }

  private void feed() {
    try {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = stdin.read(buf)) >= 0; ) {
        writeFully(channel, ByteBuffer.wrap(buf, 0, n));
      }
      channel.shutdownOutput();
      // The engine keeps the connection until the container ends; wait for that, so the bytes
      // in flight are never cut off by closing early.
      ByteBuffer sink = ByteBuffer.allocate(1024);
      while (channel.read(sink) >= 0) {
        sink.clear();
      }
    } catch (IOException e) {
      // The usual end when a script exits without reading all of its stdin, or on close().
      LOG.debug("feeding the stdin of {} stopped: {}", name, e.toString());
    } finally {
      close();
    }
  }

  private static SocketChannel open(URI endpoint) throws IOException {
    switch (endpoint.getScheme()) {
      case "unix":
        SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
          unix.connect(UnixDomainSocketAddress.of(endpoint.getPath()));
          return unix;
        } catch (IOException | RuntimeException e) {
          unix.close();
          throw e;
        }
      case "tcp":
        return SocketChannel.open(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
      default:
        throw new IOException("feeding stdin is not supported on " + endpoint);
    }
  }

  private static void writeFully(SocketChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /**
   * Reads the response header byte by byte (it is short, and no byte after it may be consumed)
   * and returns its status line, waiting at most {@code timeout} for it.
   */
  private static String readHeader(SocketChannel channel, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder header = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    channel.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      while (header.length() < MAX_HEADER) {
        one.clear();
        int n = channel.read(one);
        if (n < 0) {
          throw new IOException("the engine closed the stdin connection before answering");
        }
        if (n == 0) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            throw new IOException("the engine did not answer a stdin attach within "
                + timeout.toMillis() + " ms");
          }
          selector.select(left);
          continue;
        }
        header.append((char) (one.get(0) & 0xff));
        if (header.length() >= 4 && header.substring(header.length() - 4).equals("\r\n\r\n")) {
          return header.substring(0, header.indexOf("\r\n"));
        }
      }
      throw new IOException("the engine's answer to a stdin attach has no end");
    } finally {
      // Closing the selector deregistered the channel, so it may block again.
      if (channel.isOpen()) {
        channel.configureBlocking(true);
      }
    }
  }
}
