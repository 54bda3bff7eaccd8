package dev.rgrid.server;

import dev.rgrid.console.ConsoleAssets;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.Secrets;
import dev.rgrid.server.internal.Auth;
import dev.rgrid.server.internal.BatchRoutes;
import dev.rgrid.server.internal.BlobRoutes;
import dev.rgrid.server.internal.ConsoleRoutes;
import dev.rgrid.server.internal.CostRoutes;
import dev.rgrid.server.internal.Errors;
import dev.rgrid.server.internal.ExecutionRoutes;
import dev.rgrid.server.internal.HttpMetrics;
import dev.rgrid.server.internal.IdempotencyPruner;
import dev.rgrid.server.internal.Json;
import dev.rgrid.server.internal.LogStreams;
import dev.rgrid.server.internal.NoRoute;
import dev.rgrid.server.internal.RequestTarget;
import dev.rgrid.server.internal.SecretRoutes;
import dev.rgrid.server.internal.SessionRoutes;
import dev.rgrid.server.internal.Sessions;
import dev.rgrid.server.internal.WorkerRoutes;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.ExecutionQuery;
import io.vertx.core.Future;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The RGrid HTTP API over one {@link dev.rgrid.core.RGrid}: {@code /api/v1} (API key or console
 * session required), {@code /health}, {@code /ready} and {@code /metrics}; the landing page at
 * {@code /} and the web console at {@code /console/}. It holds no state of its own but the
 * console's sign-in sessions: every instance over the same shared state serves the same data, so
 * a deployment runs as many as it likes (with sticky sessions for the console).
 *
 * <pre>{@code
 * try (LocalRGrid rgrid = RGrid.builder().build();
 *     RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(8080))) {
 *   ...
 * }
 * }</pre>
 */
public final class RGridServer implements AutoCloseable {
  private static final String OPEN_API = "/api/v1/openapi.json";
  /** How long a console session lasts from its sign-in. */
  private static final Duration SESSION_LIFETIME = Duration.ofHours(8);
  /** The most console sessions a server keeps (each a few hundred bytes). */
  private static final int MAX_SESSIONS = 10_000;
  /** The largest sign-in body: a key, with room to spare. */
  private static final int SIGN_IN_BYTES = 4096;
  private final Vertx vertx;
  private final HttpServer http;
  private final Router router;
  private final LogStreams logStreams;
  private final Future<Integer> firstPrune;

  private RGridServer(Vertx vertx, HttpServer http, Router router,
      LogStreams logStreams, Future<Integer> firstPrune) {
    this.vertx = vertx;
    this.http = http;
    this.router = router;
    this.logStreams = logStreams;
    this.firstPrune = firstPrune;
  }

  /**
   * Starts serving {@code rgrid} (which the caller keeps and closes after the server).
   *
   * @throws RGridException when the address cannot be bound
   */
  public static RGridServer start(LocalRGrid rgrid, ServerOptions options) {
    Vertx vertx = Vertx.vertx();
    try {
      LogStreams logStreams =
          new LogStreams(rgrid, vertx, options.logPoll());
      Router router = router(vertx, rgrid, options, logStreams);
      // HTTP/1.1 only, in clear text: the cleartext upgrade to HTTP/2 ("Upgrade: h2c") is
      // turned off. Vert.x held such a request unanswered for as long as the client waited
      // when it lacked the HTTP2-Settings header the upgrade requires; RFC 9113 deprecates the
      // upgrade anyway, and no client of this API needs it (HTTP/2 belongs to a TLS proxy in
      // front). Without it the header is ignored, as RFC 9110 allows, and the request is
      // served over HTTP/1.1 at once.
      HttpServerOptions http1 = new HttpServerOptions().setHost(options.host())
          .setPort(options.port()).setCompressionSupported(true)
          .setHttp2ClearTextEnabled(false);
      HttpServer http = vertx.createHttpServer(http1).requestHandler(router)
          .invalidRequestHandler(Errors::invalidRequest).listen().toCompletionStage()
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      // Expired keys are never found anyway; pruning only keeps the table from growing.
      Future<Integer> firstPrune = new IdempotencyPruner(vertx, rgrid.accounts().store(),
          rgrid.clock(), options.idempotencyWindow()).start();
      return new RGridServer(vertx, http, router, logStreams, firstPrune);
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
      LogStreams logStreams) {
    AccountStore accounts = rgrid.accounts().store();
    Sessions sessions = new Sessions(SESSION_LIFETIME, MAX_SESSIONS);
    Auth auth = new Auth(rgrid.accounts(), options.keyCacheTtl(), sessions);
    HttpMetrics metrics = new HttpMetrics(HttpMetrics.registryOf(rgrid.meterRegistry()));
    BlobRoutes blobs = new BlobRoutes(rgrid.blobStore(), accounts, options.maxBlobBytes(),
        options.uploadDirectory());
    ExecutionRoutes executions = new ExecutionRoutes(rgrid, accounts, rgrid.clock(),
        options.idempotencyWindow());
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxJsonBytes());
    Routes api = new Routes(auth, body);

    Router router = Router.router(vertx);
    router.route().handler(metrics);
    // Before any route matches the path (the router's matching fails on a malformed one).
    router.route().handler(RequestTarget::check);
    router.get("/health").handler(ctx -> Json.send(ctx, 200, Map.of("status", "ok")));
    router.get("/ready").blockingHandler(ctx -> {
      rgrid.list(ExecutionQuery.latest(1)); // the store answers
      Json.send(ctx, 200, Map.of("status", "ready"));
    }, false);
    router.get("/metrics").handler(metrics::scrape);
    Buffer openApi = openApiDocument();
    router.get(OPEN_API).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").end(openApi));

    ConsoleRoutes console = new ConsoleRoutes(ConsoleAssets.fromClassPath(),
        ConsoleAssets.swaggerUi());
    router.get("/").handler(console::landing);
    router.get("/console/*").handler(console::console);
    router.get("/console").handler(console::console);
    router.get("/api/docs/*").handler(console::apiDocs);
    router.get("/api/docs").handler(console::apiDocs);
    SessionRoutes session = new SessionRoutes(rgrid.accounts(), auth, sessions);
    String s = "/api/v1/session";
    BodyHandler signInBody = BodyHandler.create(false).setBodyLimit(SIGN_IN_BYTES);
    router.post(s).handler(Json::requireJsonType).handler(signInBody::handle)
        .blockingHandler(failing(session::signIn), false);
    api.blocking(router.get(s), session::get);
    router.delete(s).handler(auth.readOnlyAllowed()).handler(session::signOut);

    String b = "/api/v1/blobs/:sha256";
    api.blocking(router.head(b), blobs::head);
    api.blocking(router.get(b), blobs::get);
    router.put(b).handler(auth).handler(blobs::put); // reads the body itself, after the key

    String e = "/api/v1/executions";
    api.json(router.post(e), executions::create);
    api.blocking(router.get(e), executions::list);
    api.blocking(router.get(e + "/:id"), executions::get);
    api.json(router.post(e + "/:id/cancel"), executions::cancel);
    api.json(router.post(e + "/:id/retry"), executions::retry);
    api.blocking(router.get(e + "/:id/logs"), executions::logs);
    router.get(e + "/:id/logs/stream").handler(auth).handler(logStreams::open);
    api.blocking(router.get(e + "/:id/outputs"), executions::outputs);
    api.blocking(router.get(e + "/:id/outputs/*"), executions::output);

    BatchRoutes batches = new BatchRoutes(rgrid, accounts, rgrid.clock(),
        options.idempotencyWindow());
    String bt = "/api/v1/batches";
    api.json(router.post(bt), batches::create);
    api.blocking(router.get(bt), batches::list);
    api.blocking(router.get(bt + "/:id"), batches::get);
    api.blocking(router.delete(bt + "/:id"), batches::remove);
    api.blocking(router.get(bt + "/:id/outputs.zip"), batches::outputsZip);
    api.json(router.post(bt + "/:id/cancel"), batches::cancel);
    api.json(router.post(bt + "/:id/retry"), batches::retry);

    CostRoutes costs = new CostRoutes(rgrid);
    api.blocking(router.get("/api/v1/cost"), costs::report);
    api.blocking(router.get("/api/v1/estimate"), costs::estimate);
    api.blocking(router.get("/api/v1/limits"), costs::limits);
    api.json(router.put("/api/v1/limits"), costs::setLimit);
    api.blocking(router.delete("/api/v1/limits"), costs::removeLimit);
    router.get("/api/v1/runtimes").handler(auth).handler(failing(costs::runtimes));
    api.blocking(router.get("/api/v1/workers"), new WorkerRoutes(rgrid)::list);

    SecretRoutes secrets = new SecretRoutes(rgrid);
    String sc = "/api/v1/secrets";
    api.blocking(router.get(sc), secrets::list);
    // The key first, so an anonymous value is refused unread; then only bytes, 64 KiB at most.
    router.put(sc + "/:name").handler(auth).handler(SecretRoutes::requireBytesType)
        .handler(BodyHandler.create(false).setBodyLimit(Secrets.MAX_VALUE_BYTES)::handle)
        .blockingHandler(failing(secrets::set), false);
    api.blocking(router.delete(sc + "/:name"), secrets::remove);

    // What no route took: 404 for an unknown path, with or without a key (as before: the
    // paths are public in the OpenAPI document); 405 with Allow for a known path and another
    // method. 401 comes before 405 on an API path (as at GitHub or Stripe): without a valid key
    // every method gets the same 401 as the path's own methods, so trying methods tells an
    // anonymous caller nothing. A path that needs no key answers 405 at once. Registered last:
    // the routes above are all it knows.
    NoRoute noRoute = new NoRoute(router.getRoutes(),
        Set.of("/health", "/ready", "/metrics", OPEN_API, "/", "/console", "/console/", "/api/docs", "/api/docs/",
            "/api/v1/session"));
    router.route().last().handler(noRoute::classify).handler(auth.readOnlyAllowed())
        .handler(noRoute::refuse);
    router.route().failureHandler(Errors::fail);
    // What fails outside a route's handlers (the router's own work): the same JSON errors,
    // instead of Vert.x's plain-text answer and a stack trace in the log.
    router.uncaughtErrorHandler(Errors::fail);
    return router;
  }

  /** How the API routes chain the key check, the body and their work. */
  private record Routes(Auth auth, BodyHandler body) {
    /**
     * A route with a JSON body: the key first, so an anonymous body is refused unread (not
     * buffered up to the limit), then its type (JSON only: Vert.x would decode a form body
     * itself, beyond our reach), then the body, then the work on a worker thread. (Vert.x wants
     * a body handler before any other, as one that comes later finds the body gone unless the
     * request was paused; Auth passes it on paused, so the body handler is wrapped to be let
     * in after it.)
     */
    void json(Route route, Handler<RoutingContext> work) {
      route.handler(auth).handler(Json::requireJsonType).handler(body::handle)
          .blockingHandler(failing(work), false);
    }

    /**
     * A route without a body whose work blocks: a key not cached is verified on the work's own
     * worker thread, one hop for both.
     */
    void blocking(Route route, Handler<RoutingContext> work) {
      route.handler(auth.deferring()).blockingHandler(failing(auth.verified(work)), false);
    }
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
  private static Handler<RoutingContext> failing(Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    };
  }

  /**
   * The pruning of expired idempotency keys the server ran as it started, so a test can wait
   * for it instead of for time to pass.
   */
  Future<Integer> firstIdempotencyPrune() {
    return firstPrune;
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
