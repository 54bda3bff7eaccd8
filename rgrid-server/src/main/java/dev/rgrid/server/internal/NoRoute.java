package dev.rgrid.server.internal;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The answer to a request no route took: 404 {@code not_found} for a path nothing serves, 405
 * {@code method_not_allowed} with an {@code Allow} header for a path served with other methods.
 * The catch-all route that makes the difference (Vert.x's own 405 needs no catch-all, but sends
 * no JSON) runs {@link #classify}, then the key check for an API path, then {@link #refuse}.
 *
 * <p>Built from the router's routes once they are all registered, so the methods it lists are
 * the ones really served; path templates match as the router's do ({@code :name} is one
 * non-empty segment, a route ending in {@code *} takes any tail).
 */
public final class NoRoute {
  private static final String ALLOWED = "rgrid.allowed-methods";

  /** A route's path, split at {@code /}; {@code prefix} when it takes any tail. */
  private record Template(String[] segments, boolean prefix, HttpMethod method, boolean open) {
    /**
     * Whether the path, split with its trailing slash ({@code raw}) or without ({@code
     * trimmed}), is this route's: an exact route takes a trailing slash or none, a prefix
     * route ({@code /a/*}) needs the slash after its prefix ({@code /a/}, not {@code /a}).
     */
    boolean matches(String[] raw, String[] trimmed) {
      String[] path = prefix ? raw : trimmed;
      if (prefix ? path.length <= segments.length : path.length != segments.length) {
        return false;
      }
      for (int i = 0; i < segments.length; i++) {
        String want = segments[i];
        if (want.startsWith(":") ? path[i].isEmpty() : !want.equals(path[i])) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Template> templates = new ArrayList<>();

  /**
   * Over {@code routes} (a route with no path or no method is left out); {@code openPaths} are
   * the route paths served without a key, where a 405 needs none either.
   */
  public NoRoute(List<Route> routes, Set<String> openPaths) {
    for (Route route : routes) {
      String path = route.getPath();
      if (path == null || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      // Vert.x keeps only the prefix of a wildcard route ("/a/:id/outputs/" for ".../*").
      boolean prefix = !route.isExactPath() || path.endsWith("*");
      String[] segments = split(path.endsWith("*") ? path.substring(0, path.length() - 1)
          : path, true);
      for (HttpMethod method : route.methods()) {
        templates.add(new Template(segments, prefix, method, openPaths.contains(path)));
      }
    }
  }

  /**
   * The first handler: 404 when no route serves the path; otherwise on to the key check (an
   * API path) or straight to {@link #refuse} (a path that needs no key).
   */
  public void classify(RoutingContext ctx) {
    String[] raw = split(ctx.normalizedPath(), false);
    String[] trimmed = split(ctx.normalizedPath(), true);
    SortedSet<String> allowed = new TreeSet<>();
    boolean open = false;
    for (Template t : templates) {
      if (t.matches(raw, trimmed)) {
        allowed.add(t.method().name());
        open |= t.open();
      }
    }
    // (Its own method among them would mean the router saw the path otherwise: not ours.)
    if (allowed.isEmpty() || allowed.contains(ctx.request().method().name())) {
      Errors.send(ctx, new ApiException(404, "not_found", "no such route: "
          + ctx.request().method() + " " + ExecutionRoutes.shown(ctx.normalizedPath()),
          "see /api/v1/openapi.json"));
      return;
    }
    ctx.put(ALLOWED, allowed);
    if (open) {
      refuse(ctx);
    } else {
      ctx.next();
    }
  }

  /** The last handler: 405, naming the methods the path takes (and in {@code Allow}). */
  public void refuse(RoutingContext ctx) {
    SortedSet<String> allowed = ctx.get(ALLOWED);
    String list = String.join(", ", allowed);
    ctx.response().putHeader("Allow", list);
    Errors.send(ctx, new ApiException(405, "method_not_allowed", ctx.request().method() + " is "
        + "not served on " + ExecutionRoutes.shown(ctx.normalizedPath()) + "; it takes "
        + list, "send " + (allowed.size() == 1 ? list : "one of " + list)
        + " (see /api/v1/openapi.json)"));
  }

  /** The segments of a path ({@code "/a/b/"}: a, b and an empty one unless {@code trim}). */
  private static String[] split(String path, boolean trim) {
    String p = trim && path.length() > 1 && path.endsWith("/")
        ? path.substring(0, path.length() - 1) : path;
    String[] parts = p.split("/", -1); // "/a/b" -> "", "a", "b"
    return Arrays.copyOfRange(parts, Math.min(1, parts.length), parts.length);
  }
}
