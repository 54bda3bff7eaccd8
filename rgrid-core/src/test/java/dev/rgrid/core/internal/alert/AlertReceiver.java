package dev.rgrid.core.internal.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A webhook receiver for tests: a JDK HTTP server on 127.0.0.1 that records every post and
 * answers with the statuses it was given, then 200.
 */
public final class AlertReceiver implements AutoCloseable {
  /** A post as received. */
  public record Post(String eventId, String timestamp, String signature, String body,
      int answered) {}

  private final HttpServer server;
  private final List<Post> posts = new CopyOnWriteArrayList<>();
  private final Deque<Integer> statuses = new ArrayDeque<>();

  /** A receiver that answers {@code failFirst} then 200. */
  public AlertReceiver(int... failFirst) throws IOException {
    for (int s : failFirst) {
      statuses.add(s);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status;
      synchronized (statuses) {
        status = statuses.isEmpty() ? 200 : statuses.poll();
      }
      var h = exchange.getRequestHeaders();
      posts.add(new Post(h.getFirst(Signatures.EVENT_HEADER),
          h.getFirst(Signatures.TIMESTAMP_HEADER), h.getFirst(Signatures.SIGNATURE_HEADER), body,
          status));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  /** The URL alerts are posted to. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Every post so far. */
  public List<Post> posts() {
    return List.copyOf(posts);
  }

  /** The posts answered 2xx. */
  public List<Post> accepted() {
    return posts.stream().filter(p -> p.answered() / 100 == 2).toList();
  }

  /** Waits until the accepted posts match {@code done}, polling until {@code deadline}. */
  public List<Post> awaitAccepted(Predicate<List<Post>> done, Duration deadline)
      throws InterruptedException {
    Instant end = Instant.now().plus(deadline);
    while (!done.test(accepted())) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("the receiver did not get the alerts in " + deadline
            + "; it got " + posts);
      }
      Thread.sleep(20); // polling with a deadline, not synchronising
    }
    return accepted();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
