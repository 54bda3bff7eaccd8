package dev.rgrid.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.NoMatchException;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.core.NotAuthorisedException;
import dev.rgrid.core.ServerUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Turns what the server answered (its JSON error body {@code {"error": {code, message, hint}}})
 * and transport failures into the library's exceptions, so a caller handles a remote RGrid
 * exactly like a local one. Messages name the server's URL, never the API key.
 */
final class HttpErrors {
  static final String BACKEND = "rgrid server";
  private static final long MAX_ERROR_BODY = 64 * 1024;

  private final String server;

  HttpErrors(String server) {
    this.server = server;
  }

  /** The exception a refused request stands for. */
  RGridException of(Response response) {
    int status = response.code();
    String what = response.request().method() + " " + response.request().url().encodedPath();
    String code = null;
    String message = null;
    String hint = null;
    try {
      String body = response.peekBody(MAX_ERROR_BODY).string();
      JsonNode error = body.isBlank() ? null : Wire.JSON.readTree(body).path("error");
      if (error != null && error.isObject()) {
        code = text(error, "code");
        message = text(error, "message");
        hint = text(error, "hint");
      }
    } catch (IOException | RuntimeException e) {
      // not our JSON (a proxy's page, a HEAD without a body): the status has to do
    }
    if (status == 401 || status == 403) {
      return new NotAuthorisedException("the RGrid server at " + server + " refused the API key"
          + (status == 403 ? " for " + what : "") + " (" + status + ")",
          "log in again with a valid key: rgrid login " + server);
    }
    String said = message != null ? message : what + " was refused (" + status + ")";
    return switch (status) {
      case 400, 413, 422 -> "no_match".equals(code) ? new NoMatchException(said, hint)
          : new InvalidRunSpecException(said, hint);
      case 402 -> new SpendingLimitException(said, hint);
      case 404 -> new NotFoundException(said, hint);
      case 409 -> new ConflictException(said, hint);
      default -> status >= 500
          ? new BackendUnavailableException(BACKEND, "the RGrid server at " + server + " failed "
              + what + " (" + status + (code == null ? "" : " " + code) + ")"
              + (message == null ? "" : ": " + message),
              hint != null ? hint : "try again shortly; if it persists, look at the server's log",
              null)
          : new RGridException("the RGrid server at " + server + " refused " + what + " ("
              + status + "): " + said, hint);
    };
  }

  /**
   * The exception a transport failure (no answer at all) stands for: {@link
   * ServerUnreachableException} when no connection was made (refused, unknown host, no route,
   * connecting timed out), else the server went silent or away within an exchange.
   */
  BackendUnavailableException unreachable(Request request, IOException e) {
    String what = request.method() + " " + request.url().encodedPath();
    if (notConnected(e)) {
      return new ServerUnreachableException("cannot reach the RGrid server at " + server + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          "check that the server runs and that RGRID_URL (or rgrid login) points at it", e);
    }
    return new BackendUnavailableException(BACKEND, "the RGrid server at " + server
        + " did not answer " + what + ": " + e,
        "check that the server runs and that RGRID_URL (or rgrid login) points at it", e);
  }

  private static boolean notConnected(IOException e) {
    return e instanceof ConnectException || e instanceof UnknownHostException
        || e instanceof NoRouteToHostException
        // OkHttp's words for a connection attempt that timed out (a read timeout says "timeout")
        || e instanceof SocketTimeoutException && String.valueOf(e.getMessage())
            .toLowerCase(java.util.Locale.ROOT).contains("connect");
  }

  /** The server's address as shown in messages. */
  String server() {
    return server;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() ? v.asText() : null;
  }
}
