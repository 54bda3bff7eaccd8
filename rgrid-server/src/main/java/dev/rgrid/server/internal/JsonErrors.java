package dev.rgrid.server.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * A refused JSON body in the API's own words: which field ({@code script.path}, {@code
 * args[2]}), what it must be ("a whole number"), what came. Jackson's messages name Java types
 * and its own settings, which mean nothing to a client and tell an attacker what runs here, so
 * none of their text is passed on.
 */
final class JsonErrors {
  private static final String SCHEMAS = "see the request's schema in /api/v1/openapi.json";

  private JsonErrors() {}

  /**
   * The 400 that {@code e}, thrown while reading a request body, stands for; {@code came} is the
   * token the parser stood on (null: unknown).
   */
  static ApiException of(IOException e, JsonToken came) {
    if (e instanceof UnrecognizedPropertyException u) {
      return new ApiException(400, "unknown_field", "unknown field '" + path(u) + "'",
          "send only the documented fields (see /api/v1/openapi.json)");
    }
    if (e instanceof InvalidFormatException f) {
      return mismatched(path(f), f.getTargetType(), kind(f.getValue()));
    }
    if (e instanceof MismatchedInputException m) {
      return mismatched(path(m), m.getTargetType(), describe(came));
    }
    if (e instanceof JsonMappingException m && m.getCause() instanceof InputCoercionException c) {
      return outOfRange(path(m), c); // a number too large, met while mapping
    }
    if (e instanceof InputCoercionException c) {
      return outOfRange(path(c.getProcessor()), c);
    }
    if (e instanceof StreamConstraintsException) {
      return malformed("the body nests too deeply or holds a number or string that is too "
          + "long", "send a flatter, smaller document");
    }
    if (e instanceof StreamReadException r && isDuplicate(r)) {
      return malformed("field '" + path(r.getProcessor()) + "' is given more than once",
          "send each field once");
    }
    if (e instanceof JsonMappingException) { // anything else about the shape
      return malformed("the body does not have the shape of this request", SCHEMAS);
    }
    JsonLocation at = e instanceof JsonProcessingException j ? j.getLocation() : null;
    return malformed("the body is not valid JSON" + (at == null ? "" : " (line "
        + at.getLineNr() + ", column " + at.getColumnNr() + ")"), "send a JSON object");
  }

  private static ApiException outOfRange(String field, InputCoercionException c) {
    return malformed((field.isEmpty() ? "a number" : "field '" + field + "'")
        + " is out of range for " + expected(c.getTargetType()), SCHEMAS);
  }

  private static ApiException mismatched(String field, Class<?> type, String came) {
    String was = came == null ? "" : ", was " + came;
    if (field.isEmpty()) { // an object after the object: trailing content
      return malformed("the body must be one JSON object" + ("an object".equals(came)
          ? ", with nothing after it" : was), "send a JSON object");
    }
    return malformed("field '" + field + "' must be " + expected(type) + was, SCHEMAS);
  }

  /** Jackson reports a repeated name ({@code STRICT_DUPLICATE_DETECTION}) only in its text. */
  private static boolean isDuplicate(StreamReadException e) {
    String m = e.getOriginalMessage();
    return m != null && m.startsWith("Duplicate field");
  }

  /** A JSON type as the API documents it, for a Java type of our request records. */
  static String expected(Class<?> type) {
    if (type == null) {
      return "of the documented type";
    }
    if (type == Long.class || type == Integer.class || type == Short.class
        || type == long.class || type == int.class || type == short.class
        || type == java.math.BigInteger.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (CharSequence.class.isAssignableFrom(type) || type.isEnum()
        || Temporal.class.isAssignableFrom(type) || type == Duration.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }

  /** The JSON type of a token that came (null for none or the end of one). */
  private static String describe(JsonToken t) {
    if (t == null) {
      return null;
    }
    return switch (t) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "a number";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      default -> null;
    };
  }

  /** The JSON type of a value that came, as Jackson read it. */
  private static String kind(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number n) {
      return n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal
          ? "a number with a fraction" : "a number";
    }
    return null;
  }

  /** {@code script.path}, {@code args[2]}: where a mapping failed. */
  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return ExecutionRoutes.shown(b.toString());
  }

  /** The same, from where the parser stood when reading failed. */
  private static String path(Object processor) {
    if (!(processor instanceof JsonParser p)) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot();
        c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        parts.add("." + c.getCurrentName());
      } else if (c.inArray()) {
        parts.add("[" + Math.max(0, c.getCurrentIndex()) + "]");
      }
    }
    Collections.reverse(parts);
    String joined = String.join("", parts);
    return ExecutionRoutes.shown(joined.startsWith(".") ? joined.substring(1) : joined);
  }

  private static ApiException malformed(String message, String hint) {
    return new ApiException(400, "malformed_json", message, hint);
  }
}
