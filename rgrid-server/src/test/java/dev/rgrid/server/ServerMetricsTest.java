package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a real server whose library counts into its registry, with a real worker
 * (process runtime): the scrape is strict Prometheus text, and the library's series move with
 * real runs.
 */
class ServerMetricsTest {
  private static final long ONE_MICRO_PER_MS = 3_600_000L;

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String key;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2)
        .hourlyPrice(ONE_MICRO_PER_MS).lease(Duration.ofSeconds(3))
        .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    Account a = rgrid.accounts().create("metrics");
    key = rgrid.accounts().createKey(a.id(), "tests").key();
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  static PrometheusText scrape() {
    Api.Reply r = api.get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.raw().headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    return PrometheusText.parse(r.body());
  }

  /** Scrapes until {@code ready} holds, for at most 30 s. */
  static PrometheusText scrapeUntil(Predicate<PrometheusText> ready) {
    Instant deadline = Instant.now().plusSeconds(30);
    PrometheusText t = scrape();
    while (!ready.test(t) && Instant.now().isBefore(deadline)) {
      Thread.onSpinWait();
      t = scrape();
    }
    return t;
  }

  private static ExecutionRecord run(String script) throws Exception {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    Api.Reply r = api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    ExecutionId id = ExecutionId.of(r.json().path("id").asText());
    return rgrid.execution(id).await(Duration.ofSeconds(60))
        .orElseThrow(() -> new AssertionError(id + " never ended"));
  }

  @Test
  void servesTheLibrarysSeriesBesideTheHttpOnesAndTheyMoveWithRuns() throws Exception {
    PrometheusText before = scrape();
    String ok = "print('metrics ok " + System.nanoTime() + "')\n";
    assertThat(run(ok).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(run(ok).cached()).isTrue();
    assertThat(run("import sys\nsys.exit(3)\n").status()).isEqualTo(ExecutionStatus.FAILED);

    PrometheusText after = scrapeUntil(t -> t.sum("rgrid_worker_heartbeats_total") > 0);
    String ended = "rgrid_executions_ended_total";
    assertThat(after.sum(ended, "status", "succeeded", "failure_kind", "none")
        - before.sum(ended, "status", "succeeded", "failure_kind", "none")).isEqualTo(1.0);
    assertThat(after.sum(ended, "status", "failed", "failure_kind", "script_exit")
        - before.sum(ended, "status", "failed", "failure_kind", "script_exit")).isEqualTo(1.0);
    assertThat(after.type("rgrid_executions_ended_total")).isEqualTo("counter");
    assertThat(after.sum("rgrid_cache_lookups_total", "result", "hit")
        - before.sum("rgrid_cache_lookups_total", "result", "hit")).isEqualTo(1.0);
    assertThat(after.sum("rgrid_cache_lookups_total", "result", "miss")
        - before.sum("rgrid_cache_lookups_total", "result", "miss")).isEqualTo(2.0);
    // The cached run never waited in the queue nor ran: two waits, one run time per status.
    assertThat(after.sum("rgrid_queue_wait_seconds_count")
        - before.sum("rgrid_queue_wait_seconds_count")).isEqualTo(2.0);
    assertThat(after.count("rgrid_queue_wait_seconds_bucket", "le", "+Inf")).isEqualTo(1);
    assertThat(after.sum("rgrid_run_duration_seconds_count", "status", "succeeded")
        - before.sum("rgrid_run_duration_seconds_count", "status", "succeeded")).isEqualTo(1.0);
    assertThat(after.sum("rgrid_run_duration_seconds_count", "status", "failed")
        - before.sum("rgrid_run_duration_seconds_count", "status", "failed")).isEqualTo(1.0);
    assertThat(after.sum("rgrid_blob_stored_bytes_total"))
        .isGreaterThan(before.sum("rgrid_blob_stored_bytes_total"));
    assertThat(after.sum("rgrid_spending_month_micros"))
        .isGreaterThan(before.sum("rgrid_spending_month_micros"));
    assertThat(after.sum("rgrid_queue_depth", "state", "waiting")).isZero();
    assertThat(after.count("rgrid_queue_depth", "state", "unowned")).isEqualTo(1);
    assertThat(after.sum("rgrid_workers_alive")).isGreaterThanOrEqualTo(1.0);
    assertThat(after.count("rgrid_executions_running")).isEqualTo(1);
    assertThat(after.count("rgrid_worker_heartbeat_age_seconds")).isEqualTo(1);
    assertThat(after.sum("rgrid_worker_heartbeat_age_seconds")).isBetween(0.0, 30.0);
    assertThat(after.type("rgrid_queue_wait_seconds_bucket")).isEqualTo("histogram");
    assertThat(after.type("rgrid_queue_depth")).isEqualTo("gauge");
    assertThat(after.count("rgrid_gc_runs_total")).isEqualTo(1);
    assertThat(after.count("rgrid_gc_freed_bytes_total")).isEqualTo(1);
    assertThat(after.sum("rgrid_http_requests_seconds_count", "route", "/api/v1/executions"))
        .isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void theStrictReaderRefusesWhatPrometheusWouldRefuse() {
    assertThatThrownBy(() -> PrometheusText.parse("x 1\n"))
        .hasMessageContaining("before its TYPE");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\nx 2\n"))
        .hasMessageContaining("repeated series");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1\\q\"} 1\n"))
        .hasMessageContaining("bad escape");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n"))
        .hasMessageContaining("bad value");
    assertThat(PrometheusText.parse("# TYPE x gauge\nx{a=\"q\\\"\"} +Inf\n").sum("x", "a", "q\""))
        .isInfinite();
  }
}
