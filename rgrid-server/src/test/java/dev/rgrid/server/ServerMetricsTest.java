package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void dashboardAndAlertRulesParseAndNameOnlySeriesTheServerExports() throws Exception {
    run("print('deploy files')\n");
    run("import sys\nsys.exit(1)\n");
    Set<String> exported = scrapeUntil(t -> t.sum("rgrid_worker_heartbeats_total") > 0).names();
    Path deploy = Path.of("..", "deploy");

    JsonNode dash = Api.JSON.readTree(deploy.resolve("grafana/rgrid-dashboard.json").toFile());
    assertThat(dash.path("uid").asText()).matches("[a-z0-9-]{1,40}");
    assertThat(dash.path("title").asText()).isNotBlank();
    assertThat(dash.path("schemaVersion").asInt()).isPositive();
    // Every query names the data source through the variable the dashboard itself defines.
    assertThat(dash.path("templating").path("list").findValuesAsText("name"))
        .contains("DS_PROMETHEUS");
    List<String> exprs = new ArrayList<>();
    Set<String> titles = new HashSet<>();
    for (JsonNode panel : dash.path("panels")) {
      assertThat(panel.path("title").asText()).isNotBlank();
      assertThat(titles.add(panel.path("title").asText())).isTrue();
      assertThat(panel.path("type").asText()).isIn("timeseries", "stat", "gauge");
      assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
      assertThat(panel.path("targets").size()).isPositive();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("refId").asText()).isNotBlank();
        exprs.add(target.path("expr").asText());
      }
    }
    assertThat(String.join("\n", titles)).contains("Queue depth", "Queue wait p95",
        "per worker", "Failure ratio", "Run durations", "cache hit ratio", "Spending",
        "Garbage collection");

    JsonNode rules = new ObjectMapper(new YAMLFactory())
        .readTree(deploy.resolve("prometheus/rgrid-alerts.yml").toFile());
    Set<String> alerts = new HashSet<>();
    for (JsonNode group : rules.path("groups")) {
      assertThat(group.path("name").asText()).isNotBlank();
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("alert").asText()).matches("[A-Za-z_][A-Za-z0-9_]*");
        assertThat(alerts.add(rule.path("alert").asText())).isTrue();
        assertThat(rule.path("expr").asText()).isNotBlank();
        if (rule.has("for")) {
          assertThat(rule.path("for").asText()).matches("\\d+[smhdwy]");
        }
        assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
        // Only the fields Prometheus knows: an unknown one fails its rule file.
        rule.fieldNames().forEachRemaining(f -> assertThat(f)
            .isIn("alert", "expr", "for", "keep_firing_for", "labels", "annotations"));
        exprs.add(rule.path("expr").asText());
      }
    }
    assertThat(alerts).contains("RGridQueueWaitHigh", "RGridNoWorkers",
        "RGridFailureRatioHigh", "RGridSpendingHigh");

    Matcher series = Pattern.compile("\\brgrid_[a-z0-9_]+").matcher(String.join("\n", exprs));
    Set<String> named = new TreeSet<>();
    while (series.find()) {
      named.add(series.group());
    }
    assertThat(named).hasSizeGreaterThan(8);
    assertThat(exported).containsAll(named);
    for (String expr : exprs) {
      assertThat(balanced(expr)).as(expr).isTrue();
    }
  }

  /** Whether the brackets and quotes of {@code expr} pair up. */
  private static boolean balanced(String expr) {
    Deque<Character> open = new ArrayDeque<>();
    boolean quoted = false;
    for (char c : expr.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && "({[".indexOf(c) >= 0) {
        open.push(c);
      } else if (!quoted && ")}]".indexOf(c) >= 0) {
        if (open.isEmpty() || "({[".indexOf(open.pop()) != ")}]".indexOf(c)) {
          return false;
        }
      }
    }
    return open.isEmpty() && !quoted;
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
