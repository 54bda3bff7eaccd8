package dev.rgrid.server.internal;

import dev.rgrid.spi.RGridException;

/**
 * A request the API refuses, with the HTTP status, a stable machine-readable code, a message and
 * a hint for people.
 */
public final class ApiException extends RGridException {
  private final int status;
  private final String code;

  /** A refusal with {@code status}, {@code code}, a message and a hint (may be null). */
  public ApiException(int status, String code, String message, String hint) {
    super(message, hint, null, null);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The stable code, e.g. {@code not_found}. */
  public String code() {
    return code;
  }

  static ApiException notFound(String what) {
    return new ApiException(404, "not_found", "no " + what, null);
  }

  static ApiException badRequest(String message, String hint) {
    return new ApiException(400, "invalid_request", message, hint);
  }
}
