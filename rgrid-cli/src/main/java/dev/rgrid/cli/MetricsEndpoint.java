package dev.rgrid.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rgrid.spi.RGridException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A worker's {@code GET /metrics} in Prometheus' text format, on the JDK's HTTP server: a worker
 * has no web stack of its own, and one read-only page needs none. Anything else is 404 or 405.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer http;

  private MetricsEndpoint(HttpServer http) {
    this.http = http;
  }

  /** Refuses a port outside 0 to 65535 (0: any free port). */
  static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-port must be between 0 and 65535, was "
          + port);
    }
  }

  /**
   * Serves {@code registry} on {@code host}:{@code port}.
   *
   * @throws RGridException when the address cannot be bound
   */
  static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry) {
    checkPort(port);
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException | RuntimeException e) {
      throw new RGridException("cannot serve metrics on " + host + ":" + port + ": "
          + e.getMessage(), "pick another --metrics-port or --metrics-host", null, e);
    }
    http.createContext("/", exchange -> answer(exchange, registry));
    http.start();
    return new MetricsEndpoint(http);
  }

  private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry)
      throws IOException {
    try (exchange) {
      if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
        send(exchange, 404, "not found: only /metrics is served here\n");
      } else if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, "method not allowed: use GET\n");
      } else {
        exchange.getResponseHeaders().set("Content-Type",
            "text/plain; version=0.0.4; charset=utf-8");
        send(exchange, 200, registry.scrape());
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port it listens on. */
  int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
