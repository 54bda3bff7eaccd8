package dev.rgrid.server.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/**
 * JSON in and out, read strictly: a value of another JSON type than documented is refused, never
 * converted ({@code "10"} for a number, {@code 10} for a string, {@code 1.5} for a whole number,
 * {@code 1} for a boolean, {@code ""} for an object), as are a field given twice and an unknown
 * field; each refusal is a 400 naming the field (see {@link JsonErrors}). Instants are ISO-8601
 * strings.
 */
public final class Json {
  /** The mapper every route uses. */
  public static final ObjectMapper MAPPER = strict(JsonMapper.builder()
      .addModule(new JavaTimeModule())
      // Which of two values of one field counts is the parser's choice: refuse to choose.
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .build());

  private Json() {}

  /** No scalar becomes another: every coercion between JSON types fails. */
  private static ObjectMapper strict(ObjectMapper mapper) {
    CoercionInputShape[] scalars = {CoercionInputShape.Integer, CoercionInputShape.Float,
        CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString};
    for (LogicalType type : LogicalType.values()) {
      for (CoercionInputShape shape : scalars) {
        if (!natural(type, shape)) {
          mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
        }
      }
    }
    return mapper;
  }

  /** Whether {@code shape} is the JSON form of {@code type} itself (not a coercion). */
  private static boolean natural(LogicalType type, CoercionInputShape shape) {
    return switch (type) {
      case Integer -> shape == CoercionInputShape.Integer;
      case Float -> shape == CoercionInputShape.Integer || shape == CoercionInputShape.Float;
      case Boolean -> shape == CoercionInputShape.Boolean;
      // Strings, and what is written as one (instants, durations, enums as names).
      case Textual, DateTime, Enum, OtherScalar -> shape == CoercionInputShape.String
          || shape == CoercionInputShape.EmptyString;
      default -> false;
    };
  }

  /**
   * A handler that lets only a JSON body through ({@code application/json} or {@code
   * *}{@code /*+json}, or no Content-Type at all): any other is refused with 415, before the
   * body is read.
   */
  public static void requireJsonType(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? null
        : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (media != null && !media.equals("application/json") && !media.endsWith("+json")) {
      Errors.send(ctx, new ApiException(415, "invalid_request", "the body must be JSON, was "
          + "sent as '" + ExecutionRoutes.shown(type) + "'",
          "send it with Content-Type: application/json"));
      return;
    }
    ctx.next();
  }

  /** Reads the request body as {@code type}. */
  public static <T> T read(RoutingContext ctx, Class<T> type) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest("the request has no body", "send a JSON object");
    }
    T value;
    try (JsonParser parser = MAPPER.createParser(body)) {
      try {
        value = MAPPER.readValue(parser, type);
      } catch (JsonProcessingException e) {
        // Read before the parser closes: the token that came, for the message.
        throw JsonErrors.of(e, parser.currentToken());
      }
    } catch (IOException e) { // from a String: never I/O, a JsonProcessingException
      throw JsonErrors.of(e, null);
    }
    if (value == null) {
      throw ApiException.badRequest("the body is null", "send a JSON object");
    }
    return value;
  }

  /** Ends the request with {@code value} as JSON; the future completes once it is written. */
  public static Future<Void> send(RoutingContext ctx, int status, Object value) {
    return send(ctx.response(), ctx.request().method(), status, value);
  }

  /** Ends {@code response}, the answer to a {@code method} request, with {@code value}. */
  static Future<Void> send(HttpServerResponse response, HttpMethod method, int status,
      Object value) {
    String text;
    try {
      text = MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a response as JSON", e);
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json");
    // An answer to HEAD has no body (Vert.x does not drop it on every protocol: a client
    // read one after a 405 to HEAD).
    return method == HttpMethod.HEAD ? response.end() : response.end(text);
  }
}
