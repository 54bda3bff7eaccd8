package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.store.ExecutionRecord;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Costs, estimates, spending limits and the runtime catalog through a real server with a real
 * worker (process runtime), runs priced at one micro per millisecond so that every run costs
 * something. Each test uses accounts of its own: what one account spends never shows, or counts,
 * in another's answers.
 */
class CostApiTest {
  private static final long ONE_MICRO_PER_MS = 3_600_000L;
  // Costs are by finish time: a range that holds every run of these tests, whatever the date.
  private static final String ALL_TIME = "since=2000-01-01&until=2200-01-01";

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2)
        .hourlyPrice(ONE_MICRO_PER_MS).build();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** A new account's API key. */
  private static String newAccount(String name) {
    Account a = rgrid.accounts().create(name);
    return rgrid.accounts().createKey(a.id(), "tests").key();
  }

  /** Submits {@code script}; returns the answer (201 when accepted). */
  private static Api.Reply post(String key, String script, String extra) {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    return api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}" + extra + "}");
  }

  /** Runs {@code script} to its end; returns the record. */
  private static ExecutionRecord run(String key, String script, String extra) throws Exception {
    Api.Reply r = post(key, script, extra);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    ExecutionId id = ExecutionId.of(r.json().path("id").asText());
    return rgrid.execution(id).await(Duration.ofSeconds(60))
        .orElseThrow(() -> new AssertionError(id + " never ended"));
  }

  private static Api.Reply put(String key, String json) {
    return api.send("PUT", "/api/v1/limits", key, HttpRequest.BodyPublishers.ofString(json),
        "Content-Type", "application/json");
  }

  @Test
  void reportsTheCallersOwnCostsOnlyGroupedAsAsked() throws Exception {
    String alice = newAccount("cost-alice");
    String bob = newAccount("cost-bob");
    ExecutionRecord a1 = run(alice, "import time\ntime.sleep(0.02)\n",
        ", \"labels\": {\"team\": \"x\"}");
    ExecutionRecord a2 = run(alice, "print('a2')\n", "");
    ExecutionRecord b1 = run(bob, "print('b1')\n", ", \"labels\": {\"team\": \"secret\"}");
    assertThat(a1.costMicros()).isPositive();

    Api.Reply mine = api.get("/api/v1/cost?" + ALL_TIME + "&by=label", alice);
    assertThat(mine.status()).as(mine.body()).isEqualTo(200);
    JsonNode report = mine.json();
    assertThat(report.path("by").asText()).isEqualTo("label");
    assertThat(report.path("since").asText()).isEqualTo("2000-01-01T00:00:00Z");
    assertThat(report.path("executions").asLong()).isEqualTo(2);
    assertThat(report.path("totalMicros").asLong())
        .isEqualTo(a1.costMicros() + a2.costMicros());
    assertThat(report.path("lines").findValuesAsText("key"))
        .containsExactlyInAnyOrder("team=x", "(none)");
    assertThat(mine.body()).doesNotContain("secret").doesNotContain("rgrid.account");

    JsonNode his = api.get("/api/v1/cost?" + ALL_TIME, bob).json();
    assertThat(his.path("by").asText()).isEqualTo("total");
    assertThat(his.path("executions").asLong()).isEqualTo(1);
    assertThat(his.path("totalMicros").asLong()).isEqualTo(b1.costMicros());
    JsonNode byDay = api.get("/api/v1/cost?" + ALL_TIME + "&by=day", alice).json();
    assertThat(byDay.path("lines").path(0).path("key").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
    // Without a range: this month so far, ending now.
    JsonNode month = api.get("/api/v1/cost", bob).json();
    assertThat(month.path("since").asText()).matches("\\d{4}-\\d{2}-01T00:00:00Z");
    assertThat(month.path("executions").asLong()).isBetween(0L, 1L);
  }

  @Test
  void setsShowsAndRemovesTheAccountsOwnLimitApartFromOthers() {
    String alice = newAccount("limit-alice");
    String bob = newAccount("limit-bob");
    JsonNode none = api.get("/api/v1/limits", alice).json();
    assertThat(none.path("month").asText()).matches("\\d{4}-\\d{2}");
    assertThat(none.path("spentMicros").asLong()).isZero();
    assertThat(none.has("limitMicros")).isFalse();

    Api.Reply set = put(alice, "{\"limitMicros\": 50000000, \"thresholds\": [50, 100]}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().path("limitMicros").asLong()).isEqualTo(50_000_000);
    assertThat(set.json().path("thresholds").toString()).isEqualTo("[50,100]");
    assertThat(set.json().path("remainingMicros").asLong()).isEqualTo(50_000_000);
    assertThat(api.get("/api/v1/limits", alice).json()).isEqualTo(set.json());
    assertThat(api.get("/api/v1/limits", bob).json().has("limitMicros"))
        .as("bob's limit is his own").isFalse();
    assertThat(rgrid.spending().limit()).as("nor is it the global limit").isEmpty();

    JsonNode defaults = put(alice, "{\"limitMicros\": 0}").json();
    assertThat(defaults.path("thresholds").toString()).isEqualTo("[50,80,100]");
    assertThat(defaults.path("remainingMicros").asLong()).isZero();

    Api.Reply removed = api.send("DELETE", "/api/v1/limits", alice, null);
    assertThat(removed.status()).isEqualTo(200);
    assertThat(removed.json().has("limitMicros")).isFalse();
    assertThat(api.send("DELETE", "/api/v1/limits", alice, null).status())
        .as("removing no limit is no error").isEqualTo(200);
  }

  @Test
  void refusesRunsWith402OnceALimitIsReachedWhileOtherAccountsRunOn() throws Exception {
    String carol = newAccount("402-carol");
    String dave = newAccount("402-dave");
    assertThat(put(carol, "{\"limitMicros\": 1, \"thresholds\": [100]}").status())
        .isEqualTo(200);
    ExecutionRecord first = run(carol, "import sys, time\ntime.sleep(0.02)\nsys.exit(2)\n", "");
    assertThat(first.costMicros()).isPositive();
    assertThat(api.get("/api/v1/limits", carol).json().path("remainingMicros").asLong())
        .isZero();

    Api.Reply refused = post(carol, "print('more')\n", "");
    assertThat(refused.status()).as(refused.body()).isEqualTo(402);
    assertThat(refused.errorCode()).isEqualTo("spending_limit");
    assertThat(refused.json().path("error").path("message").asText())
        .contains("limit of account").contains("is reached");
    Api.Reply retry = api.post("/api/v1/executions/" + first.id() + "/retry", carol, "{}");
    assertThat(retry.status()).as(retry.body()).isEqualTo(402);
    assertThat(run(dave, "print('dave')\n", "").costMicros()).isPositive();

    // The global limit, the administrator's, stops everyone without showing what all spent.
    rgrid.setSpendingLimit(1L, List.of(100));
    try {
      Api.Reply global = post(dave, "print('dave again')\n", "");
      assertThat(global.status()).as(global.body()).isEqualTo(402);
      assertThat(global.json().path("error").path("message").asText())
          .contains("global").doesNotContain("€");
    } finally {
      rgrid.setSpendingLimit(null, null);
    }
    assertThat(api.send("DELETE", "/api/v1/limits", carol, null).status()).isEqualTo(200);
    assertThat(post(carol, "print('free again')\n", "").status()).isEqualTo(201);
  }

  @Test
  void servesTheRuntimeCatalogAndEstimatesFromTheCallersOwnHistory() throws Exception {
    String alice = newAccount("estimate-alice");
    String bob = newAccount("estimate-bob");
    JsonNode catalog = api.get("/api/v1/runtimes", alice).json();
    assertThat(catalog.path("defaultRuntime").asText()).isEqualTo("python3.11");
    assertThat(catalog.path("runtimes").findValuesAsText("name"))
        .containsExactly("python3.11", "python3.12", "node20", "bash");
    JsonNode python = catalog.path("runtimes").path(0);
    assertThat(python.path("aliases").toString()).isEqualTo("[\"python\",\"python3\"]");
    assertThat(python.path("suffix").asText()).isEqualTo(".py");
    assertThat(python.path("image").asText()).isEqualTo("rgrid/python:3.11");

    String script = "import time\ntime.sleep(0.02)\n";
    run(alice, script, "");
    String sha = Api.sha256(script.getBytes(StandardCharsets.UTF_8));
    JsonNode hers = api.get("/api/v1/estimate?sha256=" + sha + "&script=job.py&inputs=3",
        alice).json();
    assertThat(hers.path("samples").asInt()).as(hers.toString()).isEqualTo(1);
    assertThat(hers.path("inputs").asInt()).isEqualTo(3);
    assertThat(hers.path("basis").asText()).isEqualTo("1 past run of job.py");
    assertThat(Duration.parse(hers.path("medianRunTime").asText()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(20));
    assertThat(hers.path("costMicros").asLong()).isPositive();
    assertThat(hers.path("hourlyMicros").asLong()).isEqualTo(ONE_MICRO_PER_MS);
    JsonNode his = api.get("/api/v1/estimate?sha256=" + sha + "&script=job.py&runtime=python",
        bob).json();
    assertThat(his.path("samples").asInt()).as("alice's runs are not bob's history").isZero();
    assertThat(his.has("costMicros")).isFalse();
  }

  @Test
  void refusesBadInputWithA400SayingWhyNeverA5xx() {
    String key = newAccount("bad-input");
    String sha = "ab".repeat(32);
    record Case(String name, Api.Reply reply, String code) {}
    List<Case> cases = new ArrayList<>();
    for (String query : List.of("by=colour", "by=Day", "by=col%0Aour", "since=yesterday",
        "since=2026-11-02&until=2026-11-01", "since=2026-11-01&until=2026-11-01",
        "since=2026-13-01", "until=2026-11-01T10:00", "since=99999999d", "since=5m",
        "since=" + "9".repeat(2000), "since=7d&since=8d", "since=%00")) {
      cases.add(new Case("cost " + query, api.get("/api/v1/cost?" + query, key),
          "invalid_request"));
    }
    for (String query : List.of("", "sha256=" + sha, "sha256=../x&script=job.py",
        "sha256=" + sha + "&script=a/b.py", "sha256=" + sha + "&script=job.py&inputs=0",
        "sha256=" + sha + "&script=job.py&inputs=abc",
        "sha256=" + sha + "&script=job.py&inputs=99999999999999999999",
        "sha256=" + sha + "&script=job.py&runtime=cobol85")) {
      cases.add(new Case("estimate " + query, api.get("/api/v1/estimate?" + query, key),
          "invalid_request"));
    }
    String[][] bodies = {
        {"{\"limitMicros\": -1}", "invalid_request"},
        {"{}", "invalid_request"},
        {"{\"limitMicros\": null}", "invalid_request"},
        {"null", "invalid_request"},
        {"", "invalid_request"},
        {"{\"limitMicros\": 100, \"thresholds\": [80, 50]}", "invalid_request"},
        {"{\"limitMicros\": 100, \"thresholds\": [150]}", "invalid_request"},
        {"{\"limitMicros\": 100, \"thresholds\": [0]}", "invalid_request"},
        {"{\"limitMicros\": 100, \"thresholds\": [50, 50]}", "invalid_request"},
        {"{\"limitMicros\": 100, \"thresholds\": [null]}", "invalid_request"},
        {"{\"limitMicros\": 99999999999999999999}", "malformed_json"},
        {"{\"limitMicros\": 1e30}", "malformed_json"},
        {"{\"limitMicros\": 1.5}", "malformed_json"},
        {"{\"limitMicros\": \"100\"}", "malformed_json"},
        {"{\"limitMicros\": true}", "malformed_json"},
        {"{\"limitMicros\": 100, \"thresholds\": \"50\"}", "malformed_json"},
        {"{\"limitMicros\": 100, \"thresholds\": [50.5]}", "malformed_json"},
        {"[100]", "malformed_json"},
        {"{\"limitMicros\": ", "malformed_json"},
        {"{\"limitMicros\": 100, \"limit\": 5}", "unknown_field"}};
    for (String[] body : bodies) {
      cases.add(new Case("PUT " + body[0], put(key, body[0]), body[1]));
    }
    for (Case c : cases) {
      assertThat(c.reply().status()).as(c.name() + ": " + c.reply().body()).isEqualTo(400);
      assertThat(c.reply().errorCode()).as(c.name() + ": " + c.reply().body())
          .isEqualTo(c.code());
      assertThat(c.reply().json().path("error").path("message").asText()).as(c.name())
          .isNotBlank().doesNotContain("\n");
    }
    assertThat(api.get("/api/v1/limits", key).json().has("limitMicros"))
        .as("no refused request set anything").isFalse();
    assertThat(api.send("PATCH", "/api/v1/limits", key, null).status()).isIn(404, 405);
  }
}
