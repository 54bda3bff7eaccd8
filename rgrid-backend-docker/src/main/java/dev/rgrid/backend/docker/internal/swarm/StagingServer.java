package dev.rgrid.backend.docker.internal.swarm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint the tasks of swarm runs stage through: per execution, under a random token
 * ({@code /s/<token>/…}), the manifest of its run, its input and script files, its standard input,
 * the upload of its outputs and the chunks of its live output (see {@link Stage}). A request
 * naming no open stage is refused with 404 before anything is read, so the token of one execution
 * opens nothing of another, nor anything once its run has ended.
 *
 * <p>Bound to one address (the gateway of the relay's bridge network, see {@link Relay}), never
 * to every interface. Requests are served by a small pool of daemon threads.
 */
public final class StagingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StagingServer.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Tokens are 32 random bytes, 64 lowercase hex digits. */
  private static final int TOKEN_BYTES = 32;
  private static final String PREFIX = "/s/";

  private final HttpServer server;
  private final ExecutorService threads;
  private final Map<String, Stage> stages = new ConcurrentHashMap<>();

  private StagingServer(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /**
   * Starts a server on {@code address}, on a free port.
   *
   * @throws UncheckedIOException when it cannot bind
   */
  public static StagingServer start(InetAddress address) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address, 0), 128);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address.getHostAddress(), e);
    }
    ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "rgrid-swarm-staging");
      t.setDaemon(true);
      return t;
    });
    StagingServer staging = new StagingServer(server, threads);
    server.createContext("/", staging::handle);
    server.setExecutor(threads);
    server.start();
    return staging;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The address it listens on. */
  public InetAddress address() {
    return server.getAddress().getAddress();
  }

  /**
   * Opens {@code stage} under a new random token, until {@link #close(String)}.
   *
   * @return the token
   */
  public String open(Stage stage) {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    stages.put(token, stage);
    return token;
  }

  /** Closes the stage of {@code token}: its requests are refused from now on. */
  public void close(String token) {
    stages.remove(token);
  }

  /** The stage open under {@code token}, if any. */
  Optional<Stage> stage(String token) {
    return Optional.ofNullable(stages.get(token));
  }

  /** Stops listening at once and refuses what is still open. */
  @Override
  public void close() {
    stages.clear();
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      if (path == null || !path.startsWith(PREFIX)) {
        reply(exchange, 404, "not found");
        return;
      }
      int slash = path.indexOf('/', PREFIX.length());
      String token = slash < 0 ? path.substring(PREFIX.length())
          : path.substring(PREFIX.length(), slash);
      Stage stage = stages.get(token);
      if (stage == null) {
        // Nothing of the body is read: a stranger's upload costs us no disk and little time.
        reply(exchange, 404, "no such stage");
        return;
      }
      String rest = slash < 0 ? "" : path.substring(slash + 1);
      Stage.Reply reply = stage.serve(exchange.getRequestMethod(), rest,
          exchange.getRequestBody(), exchange.getRequestHeaders().getFirst("Content-Length"));
      if (reply.body() != null) {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(reply.status(), reply.length() >= 0 ? reply.length() : 0);
        try (InputStream in = reply.body(); OutputStream out = exchange.getResponseBody()) {
          in.transferTo(out);
        }
      } else {
        reply(exchange, reply.status(), reply.message());
      }
    } catch (IOException | RuntimeException e) {
      // A task that went away mid-request; the run's end is told by the engine, not by us.
      LOG.debug("staging request {} {} failed", exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath().replaceAll("/s/[^/]+", "/s/***"), e);
    }
  }

  private static void reply(HttpExchange exchange, int status, String message)
      throws IOException {
    if (status == 204) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
