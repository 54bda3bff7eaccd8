package dev.rgrid.server.internal;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request target (path and query), checked and percent-decoded once, as a request enters the
 * router: routes read the decoded {@link #tail path tail} and {@link #query parameters} from
 * here and never decode anything themselves, so a name that needs escaping ({@code my%20report
 * .txt}, {@code %C3%A9.csv}) means the same on every route.
 *
 * <p>Refused with 400 before any route runs (the router would otherwise fail while matching, or
 * a route would see an ambiguous name): a malformed escape ({@code %zz}), bytes that are not
 * UTF-8, control characters ({@code %00} included), a {@code .} or {@code ..} segment (raw or
 * encoded), an encoded {@code /} inside a segment (a name never holds one, so {@code %2F} could
 * only smuggle a separator past the router) and raw characters outside ASCII. Names are compared
 * as sent: no Unicode normalisation, as a file system does not apply one either.
 */
public final class RequestTarget {
  private static final String KEY = "rgrid.target";

  /** The decoded target: the path's segments (without the leading empty one) and the query. */
  private record Decoded(List<String> segments, Map<String, List<String>> query) {}

  private RequestTarget() {}

  /** The router's first handler: refuses a malformed target, else decodes it for the routes. */
  public static void check(RoutingContext ctx) {
    Decoded decoded;
    try {
      decoded = decode(ctx.request().path(), ctx.request().query());
    } catch (ApiException e) {
      Errors.refuseMalformed(ctx, e);
      return;
    }
    ctx.put(KEY, decoded);
    ctx.next();
  }

  /**
   * The decoded path after the current route's prefix, e.g. {@code dir/my report.txt} for
   * {@code /api/v1/executions/ID/outputs/dir/my%20report.txt} on {@code .../outputs/*}.
   */
  static String tail(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    int prefix = 0;
    for (String s : route.getPath().split("/")) {
      if (!s.isEmpty() && !s.equals("*")) {
        prefix++;
      }
    }
    List<String> segments = decoded(ctx).segments();
    return prefix >= segments.size() ? ""
        : String.join("/", segments.subList(prefix, segments.size()));
  }

  /** Every value of the query parameter {@code name}, decoded, in the order sent. */
  static List<String> query(RoutingContext ctx, String name) {
    return decoded(ctx).query().getOrDefault(name, List.of());
  }

  private static Decoded decoded(RoutingContext ctx) {
    Decoded d = ctx.get(KEY);
    if (d == null) {
      throw new IllegalStateException("route reached without RequestTarget.check");
    }
    return d;
  }

  /** Checks and decodes {@code path} and {@code query} (null: none), both as they came. */
  static Decoded decode(String path, String query) {
    if (path == null || !path.startsWith("/")) {
      throw refused("the request target must be a path starting with '/', was '"
          + ExecutionRoutes.shown(String.valueOf(path)) + "'", null);
    }
    List<String> segments = new ArrayList<>();
    String[] raw = path.substring(1).split("/", -1);
    for (String r : raw) {
      String s = decode(r, false, "path");
      if (s.contains("/")) {
        throw refused("the path has an encoded '/' (%2F) inside a segment",
            "send '/' as a separator, unencoded; a name never holds one");
      }
      if (s.equals(".") || s.equals("..")) {
        throw refused("the path has a '" + s + "' segment",
            "send the path itself, without '.' or '..' segments");
      }
      segments.add(s);
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String part : query.split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        String name = decode(eq < 0 ? part : part.substring(0, eq), true, "query");
        String value = eq < 0 ? "" : decode(part.substring(eq + 1), true, "query");
        params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    }
    params.replaceAll((n, v) -> Collections.unmodifiableList(v));
    return new Decoded(Collections.unmodifiableList(segments),
        Collections.unmodifiableMap(params));
  }

  /**
   * Percent-decodes {@code raw} ({@code +} as a space in a query, as HTML forms send it) as
   * UTF-8, strictly: a malformed escape, bytes that are not UTF-8 or a control character are
   * refused, as are raw characters outside visible ASCII (they must come percent-encoded).
   */
  static String decode(String raw, boolean plusIsSpace, String where) {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      checkRaw(raw, where);
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (lo < 0) {
          String bad = raw.substring(i, Math.min(raw.length(), i + 3));
          throw refused("the " + where + " has a malformed percent-escape '"
              + ExecutionRoutes.shown(bad) + "'", "write '%' itself as %25; an escape is '%' "
              + "and two hex digits");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        checkRaw(String.valueOf(c), where);
        bytes.write(plusIsSpace && c == '+' ? ' ' : c);
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw refused("the " + where + " is not UTF-8 once percent-decoded",
          "percent-encode the UTF-8 bytes of each character");
    }
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw refused("the " + where + " holds a control character (such as %00)",
          "names and values cannot hold control characters");
    }
    return text;
  }

  /** Characters that may appear unencoded: visible ASCII, nothing else. */
  private static void checkRaw(String raw, String where) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw refused("the " + where + " holds a character that must be percent-encoded "
            + "(code " + (int) c + ")", "percent-encode spaces, control characters and "
            + "everything outside ASCII as UTF-8");
      }
    }
  }

  private static ApiException refused(String message, String hint) {
    return ApiException.badRequest(message, hint);
  }
}
