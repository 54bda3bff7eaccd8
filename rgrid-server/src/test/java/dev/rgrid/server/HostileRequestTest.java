package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile probe of the server found, each at the level a client meets it (raw HTTP): names
 * that need percent-encoding, malformed escapes, a log flood through malformed requests, lax
 * JSON, Java type names in messages, a held h2c upgrade.
 */
class HostileRequestTest {
  static final Pattern JAVA_NAMES =
      Pattern.compile("dev\\.rgrid|java\\.|com\\.fasterxml|io\\.vertx|io\\.netty|\\$[A-Z]");
  /** Output names and how a client sends each in a URL (every segment percent-encoded). */
  static final Map<String, String> NAMES = Map.of(
      "my report.txt", "my%20report.txt",
      "100%.txt", "100%25.txt",
      "a#b.txt", "a%23b.txt",
      "what?.txt", "what%3F.txt",
      "é.txt", "%C3%A9.txt",
      "日本.txt", "%E6%97%A5%E6%9C%AC.txt",
      "sub dir/x.txt", "sub%20dir/x.txt");

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String key;
  static String execution;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
    Account account = rgrid.accounts().create("probe");
    key = rgrid.accounts().createKey(account.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    StringBuilder script = new StringBuilder("import os\nos.makedirs('sub dir')\n");
    for (String name : NAMES.keySet()) {
      script.append("open(").append(python(name)).append(", 'w').write('in ' + ")
          .append(python(name)).append(")\n");
    }
    String sha = api.upload(key, script.toString().getBytes(StandardCharsets.UTF_8));
    Api.Reply created = api.post("/api/v1/executions", key, "{\"script\": {\"path\": "
        + "\"names.py\", \"sha256\": \"" + sha + "\"}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    execution = created.json().path("id").asText();
    JsonNode done = ServerApiTest.awaitEnd(api, execution, key);
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  private static String python(String s) {
    StringBuilder b = new StringBuilder("'");
    s.codePoints().forEach(c -> b.append(c < 0x80 ? Character.toString(c)
        : String.format("\\U%08x", c)));
    return b.append('\'').toString();
  }

  private static RawHttp.Response raw(String method, String target, String auth,
      String... headers) throws IOException {
    try (RawHttp http = new RawHttp(server.port())) {
      http.head(method, target, auth, headers);
      return http.read(method.equals("HEAD"));
    }
  }

  /** A 400 in the documented JSON error shape, with no Java in it. */
  private static void assertRefused(RawHttp.Response r, String what) {
    assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(400);
    assertThat(r.header("content-type")).as(what).startsWith("application/json");
    JsonNode error = r.json().path("error");
    assertThat(error.path("code").asText()).as(what).isNotBlank();
    assertThat(error.path("message").asText()).as(what).isNotBlank();
    assertThat(r.body()).as(what).doesNotContainPattern(JAVA_NAMES);
  }

  @Test
  void downloadsOutputsWhoseNamesArePercentEncodedInTheUrl() throws IOException {
    Api.Reply list = api.get("/api/v1/executions/" + execution + "/outputs", key);
    assertThat(list.json().path("outputs").findValuesAsText("path"))
        .containsExactlyInAnyOrderElementsOf(NAMES.keySet());
    for (Map.Entry<String, String> name : NAMES.entrySet()) {
      RawHttp.Response r = raw("GET", "/api/v1/executions/" + execution + "/outputs/"
          + name.getValue(), key);
      assertThat(r.status()).as(name.getKey() + ": " + r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("in " + name.getKey());
    }
    // The encoded name is not another name for the file: '%2520' is a literal "%20".
    assertThat(raw("GET", "/api/v1/executions/" + execution + "/outputs/my%2520report.txt",
        key).status()).isEqualTo(404);
  }

  @Test
  void refusesHostileOutputPathsWithAClear400() throws IOException {
    String outputs = "/api/v1/executions/" + execution + "/outputs/";
    for (String hostile : List.of("../../../etc/passwd", "sub%20dir/../my%20report.txt",
        "%2e%2e/x", "./x", "sub%20dir%2Fx.txt", "x%00.txt", "x%zz.txt", "x%C3.txt",
        "x%FF.txt", "x%0A.txt", "x%1B.txt", "%")) {
      assertRefused(raw("GET", outputs + hostile, key), hostile);
    }
  }

  @Test
  void aMalformedEscapeInAQueryIsA400AndNotA500() throws IOException {
    for (String target : List.of("/api/v1/executions?a=%zz", "/api/v1/cost?since=%zz",
        "/api/v1/estimate?sha256=%zz", "/api/v1/executions?status=%", "/api/v1/limits?x=%C3",
        "/api/v1/executions?label=a%3D%00")) {
      assertRefused(raw("GET", target, key), target);
      assertRefused(raw("GET", target, null), target + " without a key");
    }
  }

  @Test
  void decodesQueryValuesOnceForEveryRoute() throws IOException {
    String label = URLEncoder.encode("team=a b&c%", StandardCharsets.UTF_8);
    RawHttp.Response r = raw("GET", "/api/v1/executions?label=" + label, key);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("items").size()).isZero();
    RawHttp.Response bad = raw("GET", "/api/v1/executions?status=%52UNNING%2C", key);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("error").path("message").asText()).contains("RUNNING,");
  }

  @Test
  void anAnonymousMalformedRequestGetsAJsonErrorAndAtMostOneLogLine() throws IOException {
    try (ServerLog log = ServerLog.capture()) {
      int before = log.lines().size();
      for (int i = 0; i < 10; i++) {
        assertRefused(raw("GET", "/%zz", null), "GET /%zz");
      }
      assertThat(log.lines().size() - before).isLessThanOrEqualTo(10);
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }

  @Test
  void theLogOfMalformedRequestsIsLimitedAndSaysHowManyItLeftOut() throws IOException {
    try (ServerLog log = ServerLog.capture()) {
      for (int i = 0; i < 60; i++) {
        assertRefused(raw("GET", "/x%zz" + i, null), "GET /x%zz");
      }
      List<String> lines = log.lines();
      // The bucket lets through a burst and refills slowly: far fewer lines than requests.
      assertThat(lines.size()).as(String.join("\n", lines)).isLessThan(30);
      assertThat(lines).allMatch(l -> l.contains("refused a malformed request"));
    }
  }

  @Test
  void anInvalidHttpRequestGetsTheSameJsonError() throws IOException {
    try (RawHttp http = new RawHttp(server.port()); ServerLog log = ServerLog.capture()) {
      http.write("GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertRefused(http.read(), "a header line without a colon");
      assertThat(log.stackTraceLines()).isEmpty();
    }
    try (RawHttp http = new RawHttp(server.port())) {
      http.head("GET", "/health?" + "a".repeat(10_000), null);
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(414);
      assertThat(r.json().path("error").path("code").asText()).isEqualTo("too_large");
    }
  }

  @Test
  void theJsonOfARequestIsStrictAndItsErrorsNameTheField() throws IOException {
    String sha = api.upload(key, "print(1)".getBytes(StandardCharsets.UTF_8));
    String script = "\"script\": {\"path\": \"job.py\", \"sha256\": \"" + sha + "\"}";
    Map<String, String> refused = Map.of(
        "{" + script + ", \"timeoutSeconds\": \"10\"}", "timeoutSeconds",
        "{" + script + ", \"timeoutSeconds\": 1.5}", "timeoutSeconds",
        "{" + script + ", \"timeoutSeconds\": 10, \"timeoutSeconds\": 20}", "timeoutSeconds",
        "{" + script + ", \"network\": 1}", "network",
        "{" + script + ", \"args\": [1]}", "args[0]",
        "{" + script + ", \"labels\": {\"a\": true}}", "labels.a",
        "{" + script + ", \"runtime\": 3}", "runtime",
        "{" + script + ", \"scripts\": []}", "scripts",
        "{\"script\": {\"path\": \"job.py\", \"sha256\": \"" + sha + "\", \"size\": 1}}",
        "script.size");
    for (Map.Entry<String, String> body : refused.entrySet()) {
      Api.Reply r = api.post("/api/v1/executions", key, body.getKey());
      assertThat(r.status()).as(body.getKey() + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(body.getKey())
          .contains("'" + body.getValue() + "'");
      assertThat(r.body()).as(body.getKey()).doesNotContainPattern(JAVA_NAMES)
          .doesNotContain("CreateRequest").doesNotContain("Long");
    }
    Api.Reply limit = api.send("PUT", "/api/v1/limits", key,
        java.net.http.HttpRequest.BodyPublishers.ofString("{\"limitMicros\": \"100\"}"));
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.body()).contains("'limitMicros'").doesNotContainPattern(JAVA_NAMES);
    Api.Reply ok = api.post("/api/v1/executions", key, "{" + script
        + ", \"timeoutSeconds\": 10}");
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
  }

  @Test
  void hostileOrHugePlacementConstraintsAreA400AndNothingIsStored() {
    String sha = api.upload(key, "print(1)".getBytes(StandardCharsets.UTF_8));
    String start = "{\"script\": {\"path\": \"job.py\", \"sha256\": \"" + sha + "\"}, "
        + "\"labels\": {\"probe\": \"constraints\"}, \"constraints\": ";
    String seventeen = "[" + String.join(", ", java.util.Collections.nCopies(17,
        "\"node.role==worker\"")) + "]";
    Map<String, String> refused = Map.of(
        seventeen, "more than the maximum of 16",
        "[\"node.labels.a==" + "x".repeat(100_000) + "\"]", "more than the maximum of 256",
        "[\"node.labels.a==b\\u001b[31m\"]", "placement constraint",
        "[\"node.labels.gpu == true\"]", "is not ATTRIBUTE==VALUE",
        "[\"node.gpu==true\"]", "names no node attribute",
        "[\"node.role==boss\"]", "which no node has",
        "[null]", "cannot hold null",
        "\"node.role==worker\"", "constraints",
        // Well-formed, but this server's own workers (process runtime) cannot place runs.
        "[\"node.labels.gpu==true\"]", "need a runtime that places runs");
    for (Map.Entry<String, String> c : refused.entrySet()) {
      Api.Reply r = api.post("/api/v1/executions", key, start + c.getKey() + "}");
      String what = c.getKey().substring(0, Math.min(80, c.getKey().length()));
      assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(what)
          .contains(c.getValue());
      assertThat(r.body()).as(what).doesNotContainPattern(JAVA_NAMES).doesNotContain("\u001b")
          .hasSizeLessThan(4096);
    }
    Api.Reply stored = api.get("/api/v1/executions?label=probe%3Dconstraints", key);
    assertThat(stored.status()).as(stored.body()).isEqualTo(200);
    assertThat(stored.json().path("items").size()).isZero();
  }

  @Test
  void malformedJsonIsDescribedWithoutJavaOrJacksonNames() {
    for (String body : List.of("{", "[]", "\"x\"", "{}{}", "{\"a\":}", "nul",
        "[".repeat(5000), "{\"script\": " + "[".repeat(5000), "{\"timeoutSeconds\": "
            + "9".repeat(40) + "}", "{\"script\": {\"path\": \"a\u0001\"}}")) {
      Api.Reply r = api.post("/api/v1/executions", key, body);
      assertThat(r.status()).as(body + ": " + r.body()).isEqualTo(400);
      assertThat(r.errorCode()).isIn("malformed_json", "unknown_field", "invalid_request");
      assertThat(r.body()).as(body).doesNotContainPattern(JAVA_NAMES)
          .doesNotContain("StreamReadConstraints").doesNotContain("REDACTED")
          .doesNotContain("`");
    }
  }

  @Test
  void anH2cUpgradeWithoutSettingsIsServedOverHttp11() throws IOException {
    for (String[] headers : List.of(new String[] {"Upgrade: h2c", "Connection: Upgrade"},
        new String[] {"Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings",
            "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"})) {
      try (RawHttp http = new RawHttp(server.port())) {
        http.head("GET", "/health", null, headers);
        RawHttp.Response r = http.read();
        assertThat(r.status()).as(String.join(", ", headers)).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
      }
    }
  }
}
