package dev.rgrid.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON error body {@code {"error": {"code", "message", "hint"}}} with
 * the right status. Only a defect is a 500, and its details stay in the server log.
 */
public final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

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
    if (e instanceof UnrecognizedPropertyException u) {
      return new ApiException(400, "unknown_field", "unknown field '" + u.getPropertyName()
          + "'", "send only the documented fields (see /api/v1/openapi.json)");
    }
    if (e instanceof JsonProcessingException j) {
      return new ApiException(400, "malformed_json", "the body is not valid JSON for this "
          + "request: " + j.getOriginalMessage(), "send a JSON object");
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
    if (e instanceof ConflictException) {
      return new ApiException(409, "conflict", e.getMessage(), null);
    }
    if (e instanceof SpendingLimitException s) {
      return new ApiException(402, "spending_limit", s.getMessage(), s.hint().orElse(null));
    }
    if (e instanceof BackendUnavailableException b) {
      LOG.warn("backend unavailable: {}", b.getMessage());
      return new ApiException(503, "unavailable", "a backend is unavailable; try again shortly",
          null);
    }
    if (e instanceof RGridException r && r.getClass() == RGridException.class) {
      LOG.warn("request failed: {}", r.getMessage());
    } else {
      LOG.error("request failed inside the server", e);
    }
    return new ApiException(500, "internal", "the server failed to handle this request",
        "try again; if it persists, report it with the time of the request");
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
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", api.code());
    body.put("message", api.getMessage());
    api.hint().ifPresent(h -> body.put("hint", h));
    if (api.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"rgrid\"");
    }
    boolean close = UnreadBody.beforeRefusal(ctx);
    Future<Void> sent = Json.send(ctx, api.status(), Map.of("error", body));
    if (close) {
      UnreadBody.closeAfter(ctx, sent);
    }
  }
}
