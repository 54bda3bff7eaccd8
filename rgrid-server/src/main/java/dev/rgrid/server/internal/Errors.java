package dev.rgrid.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.NoMatchException;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON error body {@code {"error": {"code", "message", "hint"}}} with
 * the right status: ours, the library's, and those the HTTP layer and the router raise. Only a
 * defect is a 500, and its details stay in the server log. A client error costs the log at most
 * one line, and only a malformed request gets one; lines a client can cause are limited per kind
 * ({@link LogLimit}), so no client can flood the log.
 */
public final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);
  /**
   * One limit per process, like the logger: the log it protects is the process's. (Server
   * instances in one process share it; none can then flood the log either.)
   */
  private static final LogLimit LIMIT = new LogLimit(LogLimit.DEFAULT_BURST, System::nanoTime);

  private Errors() {}

  /** The API error {@code failure} stands for. */
  public static ApiException map(Throwable failure) {
    Throwable e = failure;
    if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof JsonProcessingException j) {
      return JsonErrors.of(j, null);
    }
    if (e instanceof HttpException h) { // raised by the router or a handler of Vert.x Web
      return ofStatus(h.getStatusCode());
    }
    if (e instanceof NoMatchException n) {
      // Its own code, so that a client tells "nothing matched" (exit 4) from a bad request.
      return new ApiException(400, "no_match", n.getMessage(), n.hint().orElse(null));
    }
    if (e instanceof InvalidRunSpecException r) {
      return new ApiException(400, "invalid_request", r.getMessage(), r.hint().orElse(null));
    }
    if (e instanceof IllegalArgumentException) {
      return ApiException.badRequest(e.getMessage(), null);
    }
    if (e instanceof NotFoundException) {
      // The library's own hint names CLI commands; over the API the message is enough.
      return new ApiException(404, "not_found", e.getMessage(), null);
    }
    if (e instanceof ConflictException c) {
      return new ApiException(409, "conflict", c.getMessage(), c.hint().orElse(null));
    }
    if (e instanceof SpendingLimitException s) {
      return new ApiException(402, "spending_limit", s.getMessage(), s.hint().orElse(null));
    }
    if (e instanceof BackendUnavailableException b) {
      long left = LIMIT.take("unavailable");
      if (left >= 0) {
        LOG.warn("backend unavailable: {}{}", b.getMessage(), LogLimit.note(left));
      }
      return new ApiException(503, "unavailable", "a backend is unavailable; try again shortly",
          null);
    }
    if (e instanceof RGridException r && r.getClass() == RGridException.class) {
      long left = LIMIT.take("failed");
      if (left >= 0) {
        LOG.warn("request failed: {}{}", r.getMessage(), LogLimit.note(left));
      }
    } else {
      long left = LIMIT.take("defect");
      if (left >= 0) {
        LOG.error("request failed inside the server" + LogLimit.note(left), e);
      }
    }
    return internal();
  }

  /**
   * The error for a bare {@code status} the router or the HTTP layer set, in the API's words:
   * their own texts speak of their internals.
   */
  static ApiException ofStatus(int status) {
    return switch (status) {
      case 400 -> ApiException.badRequest("the request is malformed",
          "see /api/v1/openapi.json for the request's form");
      case 405 -> new ApiException(405, "method_not_allowed", "this method is not served here",
          "see /api/v1/openapi.json");
      case 413 -> new ApiException(413, "too_large", "the request body is too large",
          "send less");
      case 414 -> new ApiException(414, "too_large", "the request line (method, path and "
          + "query) is too long", "send a shorter path and query");
      case 415 -> new ApiException(415, "invalid_request", "the body's Content-Type is not "
          + "accepted here", "send application/json");
      case 431 -> new ApiException(431, "too_large", "the request headers are too large",
          "send fewer or shorter headers");
      default -> status >= 400 && status < 500
          ? new ApiException(status, "invalid_request", "the request was refused (" + status
              + ")", null)
          : internal();
    };
  }

  private static ApiException internal() {
    return new ApiException(500, "internal", "the server failed to handle this request",
        "try again; if it persists, report it with the time of the request");
  }

  /**
   * The router's failure handler and its handler of last resort: what failed the request ({@code
   * ctx.fail}), or the bare status it failed with.
   */
  public static void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure == null) {
      ApiException api = ofStatus(ctx.statusCode() < 400 ? 500 : ctx.statusCode());
      if (api.status() == 400) {
        refuseMalformed(ctx, api);
        return;
      }
      failure = api;
    } else if (failure instanceof HttpException h && h.getStatusCode() == 400) {
      refuseMalformed(ctx, ofStatus(400));
      return;
    }
    send(ctx, failure);
  }

  /**
   * Refuses a request that is not one this API could answer at all (a malformed target, a
   * malformed request): the one client error the log hears of, in one line, limited.
   */
  public static void refuseMalformed(RoutingContext ctx, ApiException api) {
    logMalformed(ctx.request(), api);
    send(ctx, api);
  }

  /**
   * The HTTP server's handler of requests it could not decode (a broken request line, headers
   * too large): the JSON error, then the connection closes (what follows on it cannot be
   * trusted to start a request).
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    ApiException api = ofStatus(cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400);
    if (api.status() == 400) {
      api = ApiException.badRequest("the request is not valid HTTP/1.1",
          "send a request line, headers and a body as HTTP/1.1 describes them");
    }
    logMalformed(request, api);
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    Json.send(request.response(), request.method(), api.status(), body(api))
        .onComplete(done -> request.connection().close());
  }

  private static void logMalformed(HttpServerRequest request, ApiException api) {
    long left = LIMIT.take("malformed");
    if (left >= 0) {
      SocketAddress from = request.remoteAddress();
      LOG.warn("refused a malformed request from {}: {} ({}){}", from == null ? "?"
          : from.hostAddress(), ExecutionRoutes.shown(api.getMessage()), api.status(),
          LogLimit.note(left));
    }
  }

  /**
   * Ends the request with the error {@code failure} stands for. A body not read yet is dropped,
   * or, for a caller without a valid key, mostly left unread: see {@link UnreadBody}.
   */
  public static void send(RoutingContext ctx, Throwable failure) {
    ApiException api = map(failure);
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset(); // a streamed body broke off: the client must see it incomplete
      return;
    }
    if (api.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"rgrid\"");
    }
    boolean close = UnreadBody.beforeRefusal(ctx);
    Future<Void> sent = Json.send(ctx, api.status(), body(api));
    if (close) {
      UnreadBody.closeAfter(ctx, sent);
    }
  }

  /** The JSON body of {@code api}. */
  private static Map<String, Object> body(ApiException api) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", api.code());
    error.put("message", api.getMessage());
    api.hint().ifPresent(h -> error.put("hint", h));
    return Map.of("error", error);
  }
}
