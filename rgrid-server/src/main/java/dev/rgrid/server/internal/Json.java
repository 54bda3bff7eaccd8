package dev.rgrid.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** JSON in and out: unknown fields are refused, instants are ISO-8601 strings. */
public final class Json {
  /** The mapper every route uses. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private Json() {}

  /** Reads the request body as {@code type}. */
  public static <T> T read(RoutingContext ctx, Class<T> type) {
    return read(ctx, type, MAPPER);
  }

  /** Reads the request body as {@code type} with {@code mapper} (a stricter copy of ours). */
  static <T> T read(RoutingContext ctx, Class<T> type, ObjectMapper mapper) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest("the request has no body", "send a JSON object");
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("the body is null", "send a JSON object");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw Errors.map(e);
    }
  }

  /** Ends the request with {@code value} as JSON; the future completes once it is written. */
  public static Future<Void> send(RoutingContext ctx, int status, Object value) {
    String text;
    try {
      text = MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a response as JSON", e);
    }
    HttpServerResponse response = ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json");
    // An answer to HEAD has no body (Vert.x does not drop it on every protocol: a client
    // read one after a 405 to HEAD).
    return ctx.request().method() == HttpMethod.HEAD ? response.end() : response.end(text);
  }
}
