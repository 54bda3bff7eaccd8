package dev.rgrid.server.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * What becomes of the body of a request refused before it was read. A caller who proved who it
 * is keeps its connection: the rest of the body is read and dropped, as HTTP/1.1 needs to reach
 * the next request. Anyone else gets {@code Connection: close}: the server drops at most {@link
 * #LINGER_BYTES} more (those already on their way, so that the client reads the refusal rather
 * than a reset), then closes, so that an anonymous client cannot make it read a large body.
 */
final class UnreadBody {
  /** The most an anonymous refused body is read (and dropped) before the connection closes. */
  static final long LINGER_BYTES = 256 * 1024;
  /** The longest the server waits for that much before closing anyway. */
  static final long LINGER_MILLIS = 5_000;
  /** Set on the context by a handler that paused the request (see {@link Auth}). */
  static final String PAUSED = "rgrid.paused";

  private UnreadBody() {}

  /** Whether the request announces a body (a length above 0, or a chunked one). */
  static boolean expected(HttpServerRequest request) {
    if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) != 0;
    } catch (NumberFormatException e) {
      return true; // Vert.x would have refused it; assume the worst
    }
  }

  /**
   * Called before a refusal is written: lets the rest of the body flow (to be dropped) or marks
   * the response {@code Connection: close}.
   *
   * @return whether {@link #closeAfter} must follow the response
   */
  static boolean beforeRefusal(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return false;
    }
    boolean body = expected(request);
    // HTTP/2 multiplexes: the connection stays, flow control bounds what the stream sends.
    if (body && !Auth.authenticated(ctx) && request.version() != HttpVersion.HTTP_2) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      return true;
    }
    if (body || Boolean.TRUE.equals(ctx.get(PAUSED))) {
      request.resume(); // no handler: what comes is dropped
    }
    return false;
  }

  /**
   * Closes the connection once {@code sent} (the refusal) is written and the body ended, {@link
   * #LINGER_BYTES} more arrived or {@link #LINGER_MILLIS} passed.
   */
  static void closeAfter(RoutingContext ctx, Future<Void> sent) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    Promise<Void> lingered = Promise.promise();
    long timer = ctx.vertx().setTimer(LINGER_MILLIS, t -> lingered.tryComplete());
    long[] dropped = {0};
    request.handler(chunk -> {
      dropped[0] += chunk.length();
      if (dropped[0] > LINGER_BYTES) {
        request.pause();
        lingered.tryComplete();
      }
    });
    request.endHandler(v -> lingered.tryComplete());
    request.exceptionHandler(e -> lingered.tryComplete());
    request.resume();
    Future.join(sent, lingered.future()).onComplete(done -> {
      ctx.vertx().cancelTimer(timer);
      connection.close();
    });
  }
}
