package dev.rgrid.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.LogLine;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an execution's live log over the WebSocket {@code /executions/{id}/logs/stream}. A
 * dropped connection (a server restarted, a proxy timeout, a network hiccup) is reopened after a
 * backoff (1 s doubling to 30 s by default) from the last sequence number delivered, so the
 * consumer gets every line exactly once, in order; it gives up only after failing to connect for
 * the backoff's whole deadline. Lines reach the consumer on the calling thread.
 */
final class LogFollower {
  private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
  /** Frames read ahead of a slow consumer; beyond it the socket's reader waits (TCP pushes back). */
  private static final int READ_AHEAD = 1024;
  /**
   * A connection that stayed open this long counts as healthy even without a frame (a quiet
   * script). One that opens and drops at once without a frame does not: a server that accepts and
   * then closes (its database down) must not be asked again every second forever.
   */
  private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Http http;
  private final Records records;

  LogFollower(Http http, Records records) {
    this.http = http;
    this.records = records;
  }

  /**
   * Delivers the lines of {@code id} after {@code after} until the server says it has ended.
   *
   * @return {@code true} once it has ended and every line was delivered; {@code false} when
   *     {@code deadlineNanos} (a {@link System#nanoTime()}; {@link Long#MAX_VALUE}: none) came
   *     first
   * @throws BackendUnavailableException when the server stayed unreachable too long
   */
  boolean follow(ExecutionId id, long after, Consumer<LogLine> consumer, long deadlineNanos)
      throws InterruptedException {
    Backoff backoff = http.backoff();
    long cursor = after;
    Duration wait = backoff.initial();
    long troubleSince = System.nanoTime();
    while (true) {
      Socket socket = new Socket();
      RGridException failure;
      try {
        socket.ws = http.webSocket(http.request(http.url("executions/" + id.value()
            + "/logs/stream").addQueryParameter("after", Long.toString(cursor)).build())
            .build(), socket);
        while (true) {
          long left = remaining(deadlineNanos);
          Event event = left <= 0 ? null : socket.events.poll(left, TimeUnit.NANOSECONDS);
          if (event == null) {
            return false;
          }
          if (event instanceof Opened) {
            socket.openedAt = System.nanoTime();
          } else if (event instanceof Frame frame) {
            socket.delivered = true;
            JsonNode node = parse(frame.text());
            if (node.path("end").asBoolean(false)) {
              return true;
            }
            LogLine line = records.line(Wire.JSON.treeToValue(node, Wire.Line.class));
            if (line.seq() > cursor) { // a resent line (never expected) is not delivered twice
              consumer.accept(line);
              cursor = line.seq();
            }
          } else if (event instanceof Gone gone) {
            if (gone.fatal()) {
              throw gone.error();
            }
            failure = gone.error();
            break;
          }
        }
      } catch (IOException e) { // a frame that is not our JSON
        throw new RGridException("the RGrid server at " + http.server()
            + " sent a malformed log frame for " + id + ": " + e.getMessage(),
            "check that client and server versions match", id.value(), e);
      } finally {
        socket.abandon();
      }
      long now = System.nanoTime();
      if (socket.delivered || socket.openedAt != 0 && now - socket.openedAt >= STABLE_NANOS) {
        troubleSince = now; // it worked: the next drop starts the backoff afresh
        wait = backoff.initial();
      } else if (now - troubleSince > backoff.giveUpAfter().toNanos()) {
        throw failure;
      }
      long pause = Math.min(wait.toNanos(), remaining(deadlineNanos));
      if (pause <= 0) {
        return false;
      }
      LOG.debug("log stream of {} dropped ({}); reconnecting in {} ms after line {}", id,
          failure.getMessage(), TimeUnit.NANOSECONDS.toMillis(pause), cursor);
      Backoff.sleep(Duration.ofNanos(pause));
      wait = backoff.next(wait);
    }
  }

  /** Nanoseconds left before {@code deadline}; {@link Long#MAX_VALUE} stands for none. */
  private static long remaining(long deadline) {
    return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
  }

  private static JsonNode parse(String text) throws IOException {
    return Wire.JSON.readTree(text);
  }

  private sealed interface Event permits Opened, Frame, Gone {}

  private record Opened() implements Event {}

  private record Frame(String text) implements Event {}

  /** The connection ended; {@code fatal} when reconnecting cannot help (a refused key). */
  private record Gone(RGridException error, boolean fatal) implements Event {}

  /** One connection: OkHttp's reader thread queues what happens, the follower's thread acts. */
  private final class Socket extends WebSocketListener {
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>(READ_AHEAD);
    volatile boolean abandoned;
    volatile WebSocket ws;
    // Only the follower's thread reads and writes these two.
    long openedAt;
    boolean delivered;

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      offer(new Opened());
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      offer(new Frame(text));
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
      offer(new Gone(new BackendUnavailableException(HttpErrors.BACKEND, "the RGrid server at "
          + http.server() + " closed the log stream (" + code + " " + reason + ")", null, null),
          false));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      if (response != null && response.code() != 101) { // refused at the upgrade
        RGridException error = http.errors().of(response);
        offer(new Gone(error, fatal(response.code())));
      } else {
        offer(new Gone(new BackendUnavailableException(HttpErrors.BACKEND, "lost the log stream "
            + "from the RGrid server at " + http.server() + ": " + t, "check that the server "
            + "runs and that RGRID_URL (or rgrid login) points at it", t), false));
      }
    }

    /**
     * Whether a refused upgrade is final: a refused key or an unknown execution is; a server error
     * and what a proxy says while its backend restarts or sheds load (408, 425, 429) are not.
     */
    private static boolean fatal(int code) {
      return code >= 400 && code < 500 && code != 408 && code != 425 && code != 429;
    }

    /** Queues {@code event}, waiting while the consumer is behind, unless it was abandoned. */
    private void offer(Event event) {
      try {
        while (!abandoned && !events.offer(event, 100, TimeUnit.MILLISECONDS)) {
          // the consumer is busy: holding this reader thread slows the socket, as it should
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // OkHttp's thread, being shut down
      }
    }

    void abandon() {
      abandoned = true;
      WebSocket socket = ws;
      if (socket != null) {
        socket.cancel();
      }
    }
  }
}
