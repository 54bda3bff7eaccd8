package dev.rgrid.server;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.server.internal.Auth;
import dev.rgrid.server.internal.CostRoutes;
import dev.rgrid.server.internal.BlobRoutes;
import dev.rgrid.server.internal.Errors;
import dev.rgrid.server.internal.ExecutionRoutes;
import dev.rgrid.server.internal.HttpMetrics;
import dev.rgrid.server.internal.Json;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.ExecutionQuery;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The RGrid HTTP API over one {@link RGrid}: {@code /api/v1} (API key required), {@code
 * /health}, {@code /ready} and {@code /metrics}. It holds no state of its own: every instance
 * over the same shared state serves the same data, so a deployment runs as many as it likes.
 *
 * <pre>{@code
 * try (LocalRGrid rgrid = RGrid.builder().build();
 *     RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(8080))) {
 *   ...
 * }
 * }</pre>
 */
public final class RGridServer implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer http;
  private final Router router;
  private final dev.rgrid.server.internal.LogStreams logStreams;

  private RGridServer(Vertx vertx, HttpServer http, Router router,
      dev.rgrid.server.internal.LogStreams logStreams) {
    this.vertx = vertx;
    this.http = http;
    this.router = router;
    this.logStreams = logStreams;
  }

  /**
   * Starts serving {@code rgrid} (which the caller keeps and closes after the server).
   *
   * @throws RGridException when the address cannot be bound
   */
  public static RGridServer start(LocalRGrid rgrid, ServerOptions options) {
    Vertx vertx = Vertx.vertx();
    try {
      dev.rgrid.server.internal.LogStreams logStreams =
          new dev.rgrid.server.internal.LogStreams(rgrid, vertx, options.logPoll());
      Router router = router(vertx, rgrid, options, logStreams);
      HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost(options.host())
              .setPort(options.port()).setCompressionSupported(true))
          .requestHandler(router).listen().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return new RGridServer(vertx, http, router, logStreams);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new RGridException("cannot listen on " + options.host() + ":" + options.port() + ": "
          + cause.getMessage(), "pick another --port, or stop what uses this one", null, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      vertx.close();
      throw new RGridException("interrupted while starting the server");
    }
  }

  private static Router router(Vertx vertx, LocalRGrid rgrid, ServerOptions options,
      dev.rgrid.server.internal.LogStreams logStreams) {
    AccountStore accounts = rgrid.accounts().store();
    Auth auth = new Auth(rgrid.accounts());
    HttpMetrics metrics = new HttpMetrics();
    BlobRoutes blobs = new BlobRoutes(rgrid.blobStore(), accounts, options.maxBlobBytes(),
        options.uploadDirectory());
    ExecutionRoutes executions = new ExecutionRoutes(rgrid, accounts, Clock.systemUTC());
    BodyHandler json = BodyHandler.create(false).setBodyLimit(options.maxJsonBytes());

    Router router = Router.router(vertx);
    router.route().handler(metrics);
    router.get("/health").handler(ctx -> Json.send(ctx, 200, Map.of("status", "ok")));
    router.get("/ready").blockingHandler(ctx -> {
      rgrid.list(ExecutionQuery.latest(1)); // the store answers
      Json.send(ctx, 200, Map.of("status", "ready"));
    }, false);
    router.get("/metrics").handler(metrics::scrape);
    Buffer openApi = openApiDocument();
    router.get("/api/v1/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").end(openApi));

    String b = "/api/v1/blobs/:sha256";
    router.head(b).handler(auth).blockingHandler(blocking(blobs::head), false);
    router.get(b).handler(auth).blockingHandler(blocking(blobs::get), false);
    router.put(b).handler(auth).handler(blobs::put);

    String e = "/api/v1/executions";
    router.post(e).handler(json).handler(auth).blockingHandler(blocking(executions::create), false);
    router.get(e).handler(auth).blockingHandler(blocking(executions::list), false);
    router.get(e + "/:id").handler(auth).blockingHandler(blocking(executions::get), false);
    router.post(e + "/:id/cancel").handler(json).handler(auth)
        .blockingHandler(blocking(executions::cancel), false);
    router.post(e + "/:id/retry").handler(json).handler(auth)
        .blockingHandler(blocking(executions::retry), false);
    router.get(e + "/:id/logs").handler(auth).blockingHandler(blocking(executions::logs), false);
    router.get(e + "/:id/logs/stream").handler(auth).handler(logStreams::open);
    router.get(e + "/:id/outputs").handler(auth)
        .blockingHandler(blocking(executions::outputs), false);
    router.get(e + "/:id/outputs/*").handler(auth)
        .blockingHandler(blocking(executions::output), false);

    CostRoutes costs = new CostRoutes(rgrid);
    router.get("/api/v1/cost").handler(auth).blockingHandler(blocking(costs::report), false);
    router.get("/api/v1/estimate").handler(auth)
        .blockingHandler(blocking(costs::estimate), false);
    router.get("/api/v1/limits").handler(auth).blockingHandler(blocking(costs::limits), false);
    router.put("/api/v1/limits").handler(json).handler(auth)
        .blockingHandler(blocking(costs::setLimit), false);
    router.delete("/api/v1/limits").handler(auth)
        .blockingHandler(blocking(costs::removeLimit), false);
    router.get("/api/v1/runtimes").handler(auth).handler(blocking(costs::runtimes));

    // Whatever else reaches /api is refused the same way, authenticated or not.
    router.route().last().handler(ctx -> Errors.send(ctx, new dev.rgrid.server.internal
        .ApiException(404, "not_found", "no such route: " + ctx.request().method() + " "
            + ctx.normalizedPath(), "see /api/v1/openapi.json")));
    router.route().failureHandler(ctx -> Errors.send(ctx, failure(ctx)));
    return router;
  }

  private static Throwable failure(RoutingContext ctx) {
    if (ctx.failure() != null) {
      return ctx.failure();
    }
    int status = ctx.statusCode();
    if (status == 413) {
      return new dev.rgrid.server.internal.ApiException(413, "too_large",
          "the request body is too large", "send less");
    }
    return new dev.rgrid.server.internal.ApiException(status < 400 ? 500 : status,
        status == 405 ? "method_not_allowed" : status >= 500 ? "internal" : "invalid_request",
        "the request was refused (" + status + ")", null);
  }

  /** The OpenAPI document of this API, read once from the class path. */
  private static Buffer openApiDocument() {
    String name = "openapi.json"; // beside this class: dev/rgrid/server/openapi.json
    try (InputStream in = RGridServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the resource dev/rgrid/server/" + name
            + " is missing from the class path: rebuild rgrid-server");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dev/rgrid/server/" + name, e);
    }
  }

  /**
   * Every route under {@code /api/v1} as {@code "METHOD /path/template"} in the router's own
   * syntax ({@code :id}, a trailing {@code *} for a path tail, {@code *} as the method of a route
   * that takes any), so a test can hold the OpenAPI document to what is really served.
   */
  List<String> apiRoutes() {
    List<String> out = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (path == null || !path.startsWith("/api/v1/")) { // null: a regex or catch-all route
        continue;
      }
      // Vert.x keeps only the prefix of a wildcard route.
      String template = route.isExactPath() || path.endsWith("*") ? path : path + "*";
      if (route.methods() == null || route.methods().isEmpty()) {
        out.add("* " + template);
      } else {
        route.methods().forEach(method -> out.add(method.name() + " " + template));
      }
    }
    return out;
  }

  /** A handler whose exceptions fail the request (and so reach the failure handler). */
  private static Handler<RoutingContext> blocking(Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    };
  }

  /** The port it listens on (the chosen one when 0 was asked for). */
  public int port() {
    return http.actualPort();
  }

  /** Its base address, e.g. {@code http://127.0.0.1:8080}. */
  public URI uri(String host) {
    return URI.create("http://" + host + ":" + port());
  }

  /** Stops listening and closes connections. */
  @Override
  public void close() {
    try {
      logStreams.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new RGridException("closing the server failed: " + e.getMessage());
    }
  }
}
