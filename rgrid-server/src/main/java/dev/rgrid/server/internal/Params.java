package dev.rgrid.server.internal;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Query parameters, as {@link RequestTarget} decoded them, read strictly: a repeated one or a
 * number out of range is a 400.
 */
final class Params {
  private Params() {}

  /** Every value of {@code name}, in the order sent. */
  static List<String> all(RoutingContext ctx, String name) {
    return RequestTarget.query(ctx, name);
  }

  /** The value of {@code name}, or null when absent or blank. */
  static String single(RoutingContext ctx, String name) {
    List<String> values = all(ctx, name);
    if (values.size() > 1) {
      throw ApiException.badRequest("'" + name + "' given more than once", null);
    }
    return values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  /**
   * The time {@code name}, ISO-8601 with a zone ({@code 2026-12-05T19:00:00Z} or {@code
   * …+01:00}); null when absent.
   */
  static Instant instant(RoutingContext ctx, String name) {
    String value = single(ctx, name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("'" + name + "' must be a time with its zone, like "
          + "2026-12-05T19:00:00Z, was '" + ExecutionRoutes.shown(value) + "'", null);
    }
  }

  /** The whole number {@code name}, from {@code min} to {@code max}; {@code dflt} when absent. */
  static long integer(RoutingContext ctx, String name, long dflt, long min, long max) {
    String value = single(ctx, name);
    if (value == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + name + "' must be a whole number from " + min + " to "
          + max + ", was '" + ExecutionRoutes.shown(value) + "'", null);
    }
  }
}
