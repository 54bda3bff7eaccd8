package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.NewApiKey;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API through a real server on loopback with a real in-process worker (process runtime): the
 * whole path of a run, and every route with no key, a bad key, a revoked key and another
 * account's key.
 */
class ServerApiTest {
  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String bob;
  static String revoked;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2).build();
    Account a = rgrid.accounts().create("alice");
    Account b = rgrid.accounts().create("bob");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    bob = rgrid.accounts().createKey(b.id(), "tests").key();
    NewApiKey old = rgrid.accounts().createKey(a.id(), "old");
    rgrid.accounts().revokeKey(old.record().id());
    revoked = old.key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0).withMaxBlobBytes(8L << 20));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  static JsonNode awaitEnd(String id, String key) {
    return awaitEnd(api, id, key);
  }

  /** The execution {@code id} once it has ended, asked through {@code api}. */
  static JsonNode awaitEnd(Api api, String id, String key) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode e = api.get("/api/v1/executions/" + id, key).json();
      String status = e.path("status").asText();
      if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
        return e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("execution " + id + " still " + status);
      }
      Thread.onSpinWait();
    }
  }

  static String submit(String key, String script, String extra) {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    Api.Reply r = api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}" + extra + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  @Test
  void runsAScriptWithAnInputAndServesItsLogsAndOutputs() {
    byte[] data = "some data".getBytes(StandardCharsets.UTF_8);
    String dataSha = api.upload(alice, data);
    assertThat(api.send("HEAD", "/api/v1/blobs/" + dataSha, alice, null).status())
        .isEqualTo(200);
    String id = submit(alice, "import sys\ntext = open(sys.argv[1]).read()\nprint('read', text)\n"
        + "open('out.txt', 'w').write(text.upper())\n", ", \"args\": [\"/work/data.txt\"], "
        + "\"inputs\": [{\"path\": \"data.txt\", \"sha256\": \"" + dataSha + "\"}], "
        + "\"labels\": {\"team\": \"x\"}");
    JsonNode done = awaitEnd(id, alice);
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.path("labels").toString()).isEqualTo("{\"team\":\"x\"}");
    JsonNode logs = api.get("/api/v1/executions/" + id + "/logs", alice).json();
    assertThat(logs.path("lines").findValuesAsText("text")).containsExactly("read some data");
    assertThat(logs.path("ended").asBoolean()).isTrue();
    JsonNode outputs = api.get("/api/v1/executions/" + id + "/outputs", alice).json();
    assertThat(outputs.path("outputs").findValuesAsText("path")).containsExactly("out.txt");
    Api.Reply file = api.get("/api/v1/executions/" + id + "/outputs/out.txt", alice);
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.body()).isEqualTo("SOME DATA");
    JsonNode list = api.get("/api/v1/executions?label=team=x", alice).json();
    assertThat(list.path("items").findValuesAsText("id")).contains(id);
  }

  @Test
  void anotherAccountSeesNoneOfItAndBadKeysSeeNothingAtAll() {
    byte[] secret = "alice's data".getBytes(StandardCharsets.UTF_8);
    String sha = api.upload(alice, secret);
    String id = submit(alice, "open('o.txt', 'w').write('x')\n", "");
    awaitEnd(id, alice);
    List<String[]> routes = List.of(
        new String[] {"GET", "/api/v1/executions/" + id},
        new String[] {"POST", "/api/v1/executions/" + id + "/cancel"},
        new String[] {"POST", "/api/v1/executions/" + id + "/retry"},
        new String[] {"GET", "/api/v1/executions/" + id + "/logs"},
        new String[] {"GET", "/api/v1/executions/" + id + "/outputs"},
        new String[] {"GET", "/api/v1/executions/" + id + "/outputs/o.txt"},
        new String[] {"GET", "/api/v1/blobs/" + sha},
        new String[] {"HEAD", "/api/v1/blobs/" + sha});
    for (String[] route : routes) {
      String what = route[0] + " " + route[1];
      for (String key : new String[] {null, "nonsense", "rgk_000000000000_" + "A".repeat(43),
          revoked, alice.substring(0, alice.length() - 1) + "x"}) {
        Api.Reply r = api.send(route[0], route[1], key, null);
        assertThat(r.status()).as(what + " with " + key).isEqualTo(401);
        assertThat(r.body()).doesNotContain("alice's data");
      }
      Api.Reply other = api.send(route[0], route[1], bob, null);
      assertThat(other.status()).as(what + " as bob: " + other.body()).isEqualTo(404);
      assertThat(other.body()).doesNotContain("alice's data");
    }
    for (String key : new String[] {null, revoked}) {
      assertThat(api.get("/api/v1/executions", key).status()).isEqualTo(401);
      assertThat(api.post("/api/v1/executions", key, "{}").status()).isEqualTo(401);
      assertThat(api.send("PUT", "/api/v1/blobs/" + sha, key,
          HttpRequest.BodyPublishers.ofByteArray(secret)).status()).isEqualTo(401);
    }
    assertThat(api.get("/api/v1/executions", bob).json().path("items").findValuesAsText("id"))
        .doesNotContain(id);
    // Knowing the digest is not enough to use alice's blob in a run of bob's.
    Api.Reply steal = api.post("/api/v1/executions", bob, "{\"script\": {\"path\": \"s.py\", "
        + "\"sha256\": \"" + sha + "\"}}");
    assertThat(steal.status()).isEqualTo(400);
    assertThat(steal.errorCode()).isEqualTo("blob_not_uploaded");
    // After sending the content itself, bob may use it: the store keeps one copy.
    api.upload(bob, secret);
    assertThat(api.send("HEAD", "/api/v1/blobs/" + sha, bob, null).status()).isEqualTo(200);
  }

  @Test
  void aReadOnlyKeySeesEverythingOfItsAccountAndEveryChangeIsRefusedWith403() {
    String sha = api.upload(alice, "print('seen')\n".getBytes(StandardCharsets.UTF_8));
    String id = submit(alice, "open('o.txt', 'w').write('x')\n", "");
    awaitEnd(id, alice);
    String viewer = rgrid.accounts().createKey(rgrid.accounts().get("alice").id(), "dashboard",
        true).key();
    int executions = api.get("/api/v1/executions", alice).json().path("items").size();
    // Twice each: the first time the key is verified by the store, then it comes from the cache.
    for (int round = 0; round < 2; round++) {
      for (String path : List.of("/api/v1/executions/" + id, "/api/v1/executions",
          "/api/v1/executions/" + id + "/logs", "/api/v1/executions/" + id + "/outputs/o.txt",
          "/api/v1/blobs/" + sha, "/api/v1/batches", "/api/v1/cost", "/api/v1/limits",
          "/api/v1/secrets")) {
        Api.Reply r = api.get(path, viewer);
        assertThat(r.status()).as("GET " + path + ": " + r.body()).isEqualTo(200);
      }
      JsonNode whoami = api.get("/api/v1/session", viewer).json();
      assertThat(whoami.path("account").asText()).isEqualTo("alice");
      assertThat(whoami.path("readOnly").asBoolean()).isTrue();
      List<Api.Reply> changes = List.of(
          api.post("/api/v1/executions", viewer, "{\"script\": {\"path\": \"job.py\", "
              + "\"sha256\": \"" + sha + "\"}}"),
          api.post("/api/v1/executions/" + id + "/cancel", viewer, "{}"),
          api.post("/api/v1/executions/" + id + "/retry", viewer, "{}"),
          api.post("/api/v1/batches", viewer, "{}"),
          api.send("PUT", "/api/v1/blobs/" + Api.sha256(new byte[] {1}), viewer,
              HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})),
          api.send("PUT", "/api/v1/limits", viewer,
              HttpRequest.BodyPublishers.ofString("{\"monthlyUsd\": 1}"),
              "Content-Type", "application/json"),
          api.send("DELETE", "/api/v1/limits", viewer, null),
          api.send("PUT", "/api/v1/secrets/TOKEN", viewer,
              HttpRequest.BodyPublishers.ofString("value"),
              "Content-Type", "application/octet-stream"),
          api.send("DELETE", "/api/v1/secrets/TOKEN", viewer, null));
      for (Api.Reply r : changes) {
        String what = r.raw().request().method() + " " + r.raw().uri().getPath();
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(403);
        assertThat(r.errorCode()).as(what).isEqualTo("read_only");
        assertThat(r.json().path("error").path("message").asText()).contains("read-only");
      }
    }
    assertThat(api.get("/api/v1/executions", alice).json().path("items").size())
        .as("nothing was submitted").isEqualTo(executions);
    assertThat(api.send("HEAD", "/api/v1/blobs/" + Api.sha256(new byte[] {1}), alice, null)
        .status()).as("nothing was uploaded").isEqualTo(404);
    // What changes nothing of the account stays open to it: an unknown path is still a 404.
    assertThat(api.post("/api/v1/nothing-here", viewer, "{}").status()).isEqualTo(404);
    // A key of the same account with every right still may.
    assertThat(api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}}").status()).isEqualTo(201);
  }

  @Test
  void listsByScriptStartTimeAndTextAndRefusesMalformedFiltersWith400() {
    String id = submit(alice, "print('filtered')\n", ", \"labels\": {\"suite\": \"filters\"}");
    awaitEnd(id, alice);
    String suite = "/api/v1/executions?label=suite=filters";
    assertThat(api.get(suite + "&script=job.py", alice).json().path("items")
        .findValuesAsText("id")).containsExactly(id);
    assertThat(api.get(suite + "&script=other.py", alice).json().path("items")).isEmpty();
    assertThat(api.get(suite + "&q=" + id.substring(10, 20).toLowerCase(), alice).json()
        .path("items").findValuesAsText("id")).containsExactly(id);
    assertThat(api.get(suite + "&q=FILTERS", alice).json().path("items")
        .findValuesAsText("id")).containsExactly(id);
    String startedAt = api.get("/api/v1/executions/" + id, alice).json().path("startedAt")
        .asText();
    assertThat(api.get(suite + "&startedFrom=" + startedAt, alice).json().path("items")
        .findValuesAsText("id")).containsExactly(id);
    assertThat(api.get(suite + "&startedTo=" + startedAt, alice).json().path("items"))
        .isEmpty();
    assertThat(api.get(suite + "&startedFrom=2000-01-01T01:00:00%2B01:00&startedTo="
        + "2999-01-01T00:00:00Z", alice).json().path("items").findValuesAsText("id"))
        .containsExactly(id);
    // Bob's runs stay out of alice's search, and alice's out of bob's.
    assertThat(api.get("/api/v1/executions?q=" + id, bob).json().path("items")).isEmpty();
    for (String bad : List.of("startedFrom=yesterday", "startedTo=2026-12-05",
        "startedFrom=2026-12-05T19:00:00", "startedFrom=2026-13-01T00:00:00Z",
        "q=" + "x".repeat(201), "script=" + "y".repeat(201),
        "startedFrom=2026-12-05T19:00:00Z&startedTo=2026-12-05T18:00:00Z",
        "startedFrom=2026-12-05T25:00:00Z", "q=a&q=b")) {
      Api.Reply r = api.get("/api/v1/executions?" + bad, alice);
      assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
      assertThat(r.errorCode()).as(bad).isEqualTo("invalid_request");
      assertThat(r.json().path("error").path("message").asText()).as(bad).isNotBlank()
          .doesNotContain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
  }

  @Test
  void listsTheLiveWorkersWithWhatTheyRunAndTheQueueByState() {
    String id = submit(alice, "import time\nprint('busy', flush=True)\ntime.sleep(120)\n", "");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode view;
    while (true) {
      view = api.get("/api/v1/workers", bob).json(); // any account may read it
      int running = 0;
      for (JsonNode w : view.path("workers")) {
        running += w.path("running").asInt();
      }
      if (running >= 1 && view.path("queue").path("running").asLong() >= 1) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the run never showed as running: " + view);
      }
      Thread.onSpinWait();
    }
    JsonNode worker = view.path("workers").get(0);
    assertThat(worker.path("id").asText()).startsWith("local-");
    java.time.Instant beat = java.time.Instant.parse(worker.path("lastHeartbeat").asText());
    assertThat(java.time.Instant.parse(worker.path("aliveUntil").asText())).isAfter(beat);
    assertThat(view.path("queue").path("lapsed").asLong()).isZero();
    assertThat(view.toString()).doesNotContain(id).doesNotContain("alice");
    assertThat(api.post("/api/v1/executions/" + id + "/cancel", alice, "{}").status())
        .isEqualTo(202);
    assertThat(api.get("/api/v1/workers", null).status()).isEqualTo(401);
  }

  @Test
  void refusesMalformedHostileAndHugeRequestsWithAClearErrorNeverA5xx() {
    String sha = api.upload(alice, "print(1)\n".getBytes(StandardCharsets.UTF_8));
    String script = "{\"script\": {\"path\": \"a.py\", \"sha256\": \"" + sha + "\"}";
    record Case(String name, Api.Reply reply, int status, String code) {}
    List<Case> cases = List.of(
        new Case("malformed", api.post("/api/v1/executions", alice, "{\"script\": "), 400,
            "malformed_json"),
        new Case("not an object", api.post("/api/v1/executions", alice, "[1, 2]"), 400,
            "malformed_json"),
        new Case("empty", api.post("/api/v1/executions", alice, ""), 400, "invalid_request"),
        new Case("unknown field", api.post("/api/v1/executions", alice, script
            + ", \"shell\": \"rm -rf /\"}"), 400, "unknown_field"),
        new Case("no script", api.post("/api/v1/executions", alice, "{}"), 400,
            "invalid_request"),
        new Case("bad digest", api.post("/api/v1/executions", alice,
            "{\"script\": {\"path\": \"a.py\", \"sha256\": \"../../etc/passwd\"}}"), 400,
            "invalid_request"),
        new Case("script path trick", api.post("/api/v1/executions", alice,
            "{\"script\": {\"path\": \"../a.py\", \"sha256\": \"" + sha + "\"}}"), 400,
            "invalid_request"),
        new Case("input path trick", api.post("/api/v1/executions", alice, script
            + ", \"inputs\": [{\"path\": \"../../x\", \"sha256\": \"" + sha + "\"}]}"), 400,
            "invalid_request"),
        new Case("reserved label", api.post("/api/v1/executions", alice, script
            + ", \"labels\": {\"rgrid.account\": \"acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC\"}}"), 400,
            "invalid_request"),
        new Case("negative timeout", api.post("/api/v1/executions", alice, script
            + ", \"timeoutSeconds\": -5}"), 400, "invalid_request"),
        new Case("bad env name", api.post("/api/v1/executions", alice, script
            + ", \"env\": {\"A B\": \"1\"}}"), 400, "invalid_request"),
        new Case("unknown runtime", api.post("/api/v1/executions", alice, script
            + ", \"runtime\": \"cobol85\"}"), 400, "invalid_request"),
        new Case("hostile requirement", api.post("/api/v1/executions", alice, script
            + ", \"requirements\": [\"numpy; rm -rf /\"]}"), 400, "invalid_request"),
        new Case("huge body", api.post("/api/v1/executions", alice, script + ", \"args\": [\""
            + "x".repeat(2 << 20) + "\"]}"), 413, "too_large"),
        new Case("bad id", api.get("/api/v1/executions/not-an-id", alice), 404, "not_found"),
        new Case("unknown id", api.get("/api/v1/executions/exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC",
            alice), 404, "not_found"),
        new Case("bad status", api.get("/api/v1/executions?status=DONE", alice), 400,
            "invalid_request"),
        new Case("bad limit", api.get("/api/v1/executions?limit=0", alice), 400,
            "invalid_request"),
        new Case("huge limit", api.get("/api/v1/executions?limit=99999999999999999999", alice),
            400, "invalid_request"),
        new Case("bad cursor", api.get("/api/v1/executions?before=x", alice), 400,
            "invalid_request"),
        new Case("bad blob path", api.get("/api/v1/blobs/..%2F..%2Fetc%2Fpasswd", alice), 400,
            "invalid_request"),
        new Case("digest mismatch", api.send("PUT", "/api/v1/blobs/" + "0".repeat(64), alice,
            HttpRequest.BodyPublishers.ofString("not zero")), 400, "digest_mismatch"),
        new Case("blob too large", api.send("PUT", "/api/v1/blobs/" + "1".repeat(64), alice,
            HttpRequest.BodyPublishers.ofByteArray(new byte[9 << 20])), 413, "too_large"),
        new Case("unknown route", api.get("/api/v1/nothing", alice), 404, "not_found"),
        new Case("bad idempotency key", api.post("/api/v1/executions", alice, script + "}",
            "Idempotency-Key", "a b"), 400, "invalid_request"));
    for (Case c : cases) {
      assertThat(c.reply().status()).as(c.name() + ": " + c.reply().body())
          .isEqualTo(c.status());
      assertThat(c.reply().errorCode()).as(c.name()).isEqualTo(c.code());
      assertThat(c.reply().json().path("error").path("message").asText()).as(c.name())
          .isNotBlank();
    }
    // Output names with path tricks find nothing.
    String id = submit(alice, "open('o.txt', 'w').write('x')\n", "");
    awaitEnd(id, alice);
    for (String trick : List.of("..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "%2e%2e/o.txt",
        "o.txt%00.png")) {
      Api.Reply r = api.get("/api/v1/executions/" + id + "/outputs/" + trick, alice);
      assertThat(r.status()).as(trick).isIn(400, 404);
      assertThat(r.body()).doesNotContain("root:");
    }
  }

  @Test
  void refusesRunsThatCouldNeverStartWithA400NamingTheFieldAndStoresNothing() {
    Account carol = rgrid.accounts().create("carol");
    String key = rgrid.accounts().createKey(carol.id(), "tests").key();
    String sha = api.upload(key, "print(1)\n".getBytes(StandardCharsets.UTF_8));
    String script = "{\"script\": {\"path\": \"a.py\", \"sha256\": \"" + sha + "\"}";
    String chunk = "\"" + "x".repeat(64 << 10) + "\"";
    record Case(String name, String body, String message) {}
    List<Case> cases = List.of(
        new Case("all the CPUs a long can say", script + ", \"milliCpus\": "
            + Long.MAX_VALUE + "}", "CPU limit 9223372036854775.807 is more than the"),
        new Case("more CPUs than the worker here has", script + ", \"milliCpus\": "
            + (Runtime.getRuntime().availableProcessors() + 1) * 1000L + "}",
            "CPUs the process runtime has here"),
        new Case("too little CPU", script + ", \"milliCpus\": 9}", "below the minimum of 0.01"),
        new Case("all the memory a long can say", script + ", \"memoryBytes\": "
            + Long.MAX_VALUE + "}", "memory limit 9223372036854775807 bytes is more than"),
        new Case("all the seconds a long can say", script + ", \"timeoutSeconds\": "
            + Long.MAX_VALUE + "}", "is longer than the maximum of 7d"),
        new Case("a NUL in an argument", script + ", \"args\": [\"a\\u0000b\"]}",
            "argument 1 contains a NUL character"),
        new Case("a NUL in an environment value", script
            + ", \"env\": {\"A\": \"a\\u0000b\"}}", "environment variable A contains a NUL"),
        new Case("a megabyte of arguments", script + ", \"args\": ["
            + String.join(", ", java.util.Collections.nCopies(14, chunk)) + "]}",
            "the arguments and environment take"),
        new Case("one argument over the kernel's limit", script + ", \"args\": [\""
            + "x".repeat(131_072) + "\"]}", "argument 1 is 131072 bytes long"),
        new Case("a bidi override in the script name", "{\"script\": {\"path\": "
            + "\"report\\u202Etxt.py\", \"sha256\": \"" + sha + "\"}}",
            "script name 'report?txt.py' contains U+202E"),
        new Case("a bidi isolate in a label", script
            + ", \"labels\": {\"team\": \"a\\u2066b\"}}", "label team 'a?b' contains U+2066"),
        new Case("a bidi mark in the runtime", script + ", \"runtime\": \"python\\u200F3\"}",
            "runtime name 'python?3' contains U+200F"));
    for (Case c : cases) {
      Api.Reply r = api.post("/api/v1/executions", key, c.body());
      assertThat(r.status()).as(c.name() + ": " + r.body()).isEqualTo(400);
      assertThat(r.errorCode()).as(c.name()).isEqualTo("invalid_request");
      assertThat(r.json().path("error").path("message").asText()).as(c.name())
          .contains(c.message()).doesNotContain("\u202E", "\u2066", "\u200F");
      assertThat(r.json().path("error").path("hint").asText()).as(c.name()).isNotBlank();
    }
    Api.Reply batch = api.post("/api/v1/batches", key, "{\"scriptName\": "
        + "\"report\\u202Etxt.py\", \"size\": 2, \"parallel\": 1}");
    assertThat(batch.status()).as(batch.body()).isEqualTo(400);
    assertThat(batch.json().path("error").path("message").asText()).contains("U+202E");
    assertThat(api.get("/api/v1/executions", key).json().path("items").size())
        .as("nothing stored or queued").isZero();
  }

  @Test
  void aRetriedCreateWithTheSameIdempotencyKeyMakesOneExecution() {
    String sha = api.upload(alice, "print('once')\n".getBytes(StandardCharsets.UTF_8));
    String body = "{\"script\": {\"path\": \"once.py\", \"sha256\": \"" + sha + "\"}}";
    Api.Reply first = api.post("/api/v1/executions", alice, body, "Idempotency-Key", "k-1");
    Api.Reply again = api.post("/api/v1/executions", alice, body, "Idempotency-Key", "k-1");
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
    // The same key in another account is another request.
    String bobSha = api.upload(bob, "print('once')\n".getBytes(StandardCharsets.UTF_8));
    Api.Reply bobs = api.post("/api/v1/executions", bob, body.replace(sha, bobSha),
        "Idempotency-Key", "k-1");
    assertThat(bobs.status()).isEqualTo(201);
    assertThat(bobs.json().path("id").asText()).isNotEqualTo(first.json().path("id").asText());
  }

  @Test
  void servesHealthReadinessAndMetricsWithoutAKey() {
    assertThat(api.get("/health", null).json().path("status").asText()).isEqualTo("ok");
    assertThat(api.get("/ready", null).status()).isEqualTo(200);
    api.get("/api/v1/executions", alice);
    Api.Reply metrics = api.get("/metrics", null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("rgrid_http_requests_seconds_count")
        .contains("route=\"/api/v1/executions\"");
  }
}
