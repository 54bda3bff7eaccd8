package dev.rgrid.server.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

/**
 * Times every request by method, route template (never the raw path, whose ids would make a
 * series per execution) and status, and serves the registry in Prometheus' text format.
 */
public final class HttpMetrics implements Handler<RoutingContext> {
  private final PrometheusMeterRegistry registry;

  /** Times requests into {@code registry} and serves it, with whatever else it holds. */
  public HttpMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The Prometheus registry {@code library} counts into (itself, or one inside a composite), so
   * that {@code /metrics} serves the library's meters beside the HTTP ones; a new one when it has
   * none.
   */
  public static PrometheusMeterRegistry registryOf(java.util.Optional<MeterRegistry> library) {
    MeterRegistry r = library.orElse(null);
    if (r instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (r instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry member : composite.getRegistries()) {
        if (member instanceof PrometheusMeterRegistry p) {
          return p;
        }
      }
    }
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** The registry, for other meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(done -> {
      Route route = ctx.currentRoute();
      String template = route == null || route.getPath() == null ? "unmatched" : route.getPath();
      Timer.builder("rgrid.http.requests").description("HTTP requests handled")
          .tag("method", ctx.request().method().name()).tag("route", template)
          .tag("status", Integer.toString(ctx.response().getStatusCode()))
          .register(registry).record(System.nanoTime() - start,
              java.util.concurrent.TimeUnit.NANOSECONDS);
    });
    ctx.next();
  }

  /** GET /metrics. */
  public void scrape(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape());
  }
}
