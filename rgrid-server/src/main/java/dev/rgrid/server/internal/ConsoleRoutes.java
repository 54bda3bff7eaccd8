package dev.rgrid.server.internal;

import dev.rgrid.console.ConsoleAssets;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The landing page at {@code /} and the web console at {@code /console/}: static files of
 * rgrid-console, each sent with headers that keep the pages safe by default. Their scripts come
 * only from this server ({@code script-src 'self'}, no inline script), no other site may frame
 * them, and no response is sniffed into another type.
 */
public final class ConsoleRoutes {
  /**
   * The pages' policy: everything from this origin only (the WebSocket of live logs included),
   * no plugins, no framing, no {@code <base>} tricks, forms only to this server.
   */
  static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
      + "form-action 'self'; frame-ancestors 'none'";

  private final ConsoleAssets assets;
  private final ConsoleAssets swaggerUi;

  /** Pages from {@code assets}; the API's documentation page with {@code swaggerUi}. */
  public ConsoleRoutes(ConsoleAssets assets, ConsoleAssets swaggerUi) {
    this.assets = assets;
    this.swaggerUi = swaggerUi;
  }

  /** GET {@code /}: the landing page. */
  public void landing(RoutingContext ctx) {
    send(ctx, "index.html");
  }

  /**
   * GET {@code /console} and {@code /console/*}: a file of the console ({@code /console/} is its
   * page); {@code /console} itself goes on to {@code /console/}, where relative paths work.
   */
  public void console(RoutingContext ctx) {
    if (!ctx.request().path().startsWith("/console/")) {
      secure(ctx.response()).putHeader("Location", "/console/").setStatusCode(301).end();
      return;
    }
    String tail = RequestTarget.tail(ctx);
    send(ctx, "console/" + (tail.isEmpty() ? "index.html" : tail));
  }

  /**
   * GET {@code /api/docs} and {@code /api/docs/*}: the API's OpenAPI document rendered by Swagger
   * UI ({@code /api/docs/swagger-ui/…}), whose "try it out" calls work with a key or the
   * console's session.
   */
  public void apiDocs(RoutingContext ctx) {
    String tail = RequestTarget.tail(ctx);
    if (tail.startsWith("swagger-ui/")) {
      send(ctx, swaggerUi, tail.substring("swagger-ui/".length()));
    } else {
      send(ctx, assets, "api-docs/" + (tail.isEmpty() ? "index.html" : tail));
    }
  }

  private void send(RoutingContext ctx, String name) {
    send(ctx, assets, name);
  }

  private static void send(RoutingContext ctx, ConsoleAssets from, String name) {
    ConsoleAssets.Asset asset = from.find(name).orElseThrow(() -> ApiException.notFound(
        "page '" + ExecutionRoutes.shown(ctx.normalizedPath()) + "'"));
    HttpServerResponse response = secure(ctx.response())
        .putHeader("Content-Type", asset.contentType())
        .putHeader("ETag", asset.etag())
        // Revalidated on every load (a cheap 304): a new version of the server is seen at once.
        .putHeader("Cache-Control", "no-cache");
    if (asset.etag().equals(ctx.request().getHeader("If-None-Match"))) {
      response.setStatusCode(304).end();
      return;
    }
    response.setStatusCode(200).end(Buffer.buffer(asset.bytes()));
  }

  /** The safety headers of every page. */
  private static HttpServerResponse secure(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin");
  }
}
