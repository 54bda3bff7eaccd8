package dev.rgrid.client;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.server.RGridServer;
import dev.rgrid.server.ServerOptions;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.Account;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A real server over a real embedded RGrid (process runtime, in-process workers) on a loopback
 * port of its own, which it keeps across {@link #stop()} and {@link #start()} so a client can
 * reconnect to the same address.
 */
final class TestServer implements AutoCloseable {
  final LocalRGrid rgrid;
  final String key;
  private final int port;
  private volatile RGridServer server;

  private TestServer(LocalRGrid rgrid, String key, RGridServer server) {
    this.rgrid = rgrid;
    this.key = key;
    this.server = server;
    this.port = server.port();
  }

  static TestServer start(Path home) {
    return start(RGrid.builder().home(home).engine("process").workers(4));
  }

  /** A server whose runs cost {@code hourlyMicros} an hour of run time. */
  static TestServer start(Path home, long hourlyMicros) {
    return start(RGrid.builder().home(home).engine("process").workers(4)
        .hourlyPrice(hourlyMicros));
  }

  private static TestServer start(dev.rgrid.core.RGridBuilder builder) {
    LocalRGrid rgrid = builder.build();
    Account account = rgrid.accounts().create("tests");
    String key = rgrid.accounts().createKey(account.id(), "tests").key();
    RGridException last = null;
    for (int i = 0; i < 20; i++) { // a free port can be taken between its choice and its bind
      try {
        return new TestServer(rgrid, key, RGridServer.start(rgrid,
            ServerOptions.defaults(freePort())));
      } catch (RGridException e) {
        last = e;
      }
    }
    rgrid.close();
    throw new AssertionError("no free port to listen on", last);
  }

  /** Another account's key on the same server. */
  String newAccountKey(String name) {
    Account account = rgrid.accounts().create(name);
    return rgrid.accounts().createKey(account.id(), name).key();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Stops listening (connections drop); the RGrid and its workers go on. */
  void stop() {
    RGridServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /** Listens again on the same port (retried while the old socket lets go of it). */
  void start() {
    RGridException[] last = {null};
    until(Duration.ofSeconds(30), "binding port " + port + " again", () -> {
      try {
        server = RGridServer.start(rgrid, ServerOptions.defaults(port));
        return true;
      } catch (RGridException e) {
        last[0] = e;
        return false;
      }
    });
  }

  @Override
  public void close() {
    stop();
    rgrid.close();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} every 10 ms until it holds; fails after {@code timeout}. */
  static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
