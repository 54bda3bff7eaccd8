package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/batches} through a real server on loopback with real in-process workers
 * (process runtime): a batch's life (create, submit into it, progress, cancel, retry), its
 * account scoping, what it refuses, and the idempotency and retry answers of the execution
 * routes.
 */
class BatchApiTest {
  private static final String MISSING = "batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC";

  @TempDir static Path home;
  @TempDir static Path markers;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2).build();
    Account a = rgrid.accounts().create("alice");
    Account b = rgrid.accounts().create("bob");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    bob = rgrid.accounts().createKey(b.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** Reads {@code path} until {@code done} holds; fails after a minute. */
  static JsonNode until(String path, String key, Predicate<JsonNode> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode now = api.get(path, key).json();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " never got there: " + now);
      }
      Thread.onSpinWait();
    }
  }

  static JsonNode ended(String executionId, String key) {
    return until("/api/v1/executions/" + executionId, key, e -> !List.of("QUEUED", "RUNNING")
        .contains(e.path("status").asText()));
  }

  static String createBatch(String key, String script, int size, int parallel) {
    Api.Reply r = api.post("/api/v1/batches", key, "{\"scriptName\": \"" + script
        + "\", \"size\": " + size + ", \"parallel\": " + parallel + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** Submits {@code script} as job.py into {@code batch}; the new execution's id. */
  static String submitInto(String key, String batch, String script, String arg) {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    Api.Reply r = api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"args\": [\"" + arg + "\"], \"batchId\": \"" + batch
        + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().path("batchId").asText()).isEqualTo(batch);
    return r.json().path("id").asText();
  }

  @Test
  void servesEveryOutputOfABatchAsOneStreamedZipNamedByInputThenPath() throws Exception {
    String batch = createBatch(alice, "job.py", 2, 2);
    String script = "import os, sys\nname = os.path.basename(sys.argv[1])\n"
        + "os.makedirs('out', exist_ok=True)\n"
        + "open('out/' + name + '.txt', 'w').write(open(sys.argv[1]).read().upper())\n"
        + "open('summary.txt', 'w').write('done ' + name)\n";
    String sha = api.upload(alice, script.getBytes(StandardCharsets.UTF_8));
    Map<String, String> inputs = Map.of("a.csv", "first", "b.csv", "second");
    for (Map.Entry<String, String> in : inputs.entrySet()) {
      String data = api.upload(alice, in.getValue().getBytes(StandardCharsets.UTF_8));
      Api.Reply r = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": "
          + "\"job.py\", \"sha256\": \"" + sha + "\"}, \"args\": [\"/work/" + in.getKey()
          + "\"], \"inputs\": [{\"path\": \"" + in.getKey() + "\", \"sha256\": \"" + data
          + "\"}], \"batchId\": \"" + batch + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      assertThat(ended(r.json().path("id").asText(), alice).path("status").asText())
          .isEqualTo("SUCCEEDED");
    }
    Api.Reply zip = api.get("/api/v1/batches/" + batch + "/outputs.zip", alice);
    assertThat(zip.status()).as(zip.body()).isEqualTo(200);
    assertThat(zip.raw().headers().firstValue("Content-Type")).contains("application/zip");
    assertThat(zip.raw().headers().firstValue("Content-Disposition"))
        .contains("attachment; filename=\"" + batch + "-outputs.zip\"");
    assertThat(zip.raw().headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    Map<String, String> entries = new java.util.TreeMap<>();
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(
        new java.io.ByteArrayInputStream(zip.bytes()))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(entries).hasSize(4);
    // One folder per input (named after it), then the output's own path.
    List<String> folders = entries.keySet().stream().map(n -> n.substring(0, n.indexOf('/')))
        .distinct().toList();
    assertThat(folders).hasSize(2);
    for (String folder : folders) {
      String input = folder.startsWith("a") ? "a.csv" : "b.csv";
      assertThat(entries).containsEntry(folder + "/out/" + input + ".txt",
          inputs.get(input).toUpperCase(java.util.Locale.ROOT));
      assertThat(entries).containsEntry(folder + "/summary.txt", "done " + input);
    }
    // Another account's batch, or none, is not found, as everywhere.
    assertThat(api.get("/api/v1/batches/" + batch + "/outputs.zip", bob).status())
        .isEqualTo(404);
    assertThat(api.get("/api/v1/batches/batch_00000000000000000000000000/outputs.zip", alice)
        .status()).isEqualTo(404);
    assertThat(api.get("/api/v1/batches/nonsense/outputs.zip", alice).status()).isEqualTo(404);
  }

  @Test
  void createsABatchRunsItsExecutionsAndReportsItsProgress() {
    Api.Reply created = api.post("/api/v1/batches", alice, "{\"scriptName\": \"job.py\", "
        + "\"size\": 2, \"parallel\": 1, \"labels\": {\"team\": \"x\"}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode batch = created.json();
    String id = batch.path("id").asText();
    assertThat(id).matches("batch_[0-9A-Z]{26}");
    assertThat(created.raw().headers().firstValue("Location")).contains("/api/v1/batches/" + id);
    assertThat(batch.path("script").asText()).isEqualTo("job.py");
    assertThat(batch.path("runtime").asText()).startsWith("python");
    assertThat(batch.path("size").asInt()).isEqualTo(2);
    assertThat(batch.path("parallel").asInt()).isEqualTo(1);
    assertThat(batch.path("labels").toString()).isEqualTo("{\"team\":\"x\"}");
    assertThat(batch.path("progress").path("total").asInt()).isEqualTo(2);
    // Nothing submitted yet: both inputs are waiting, none failed, and the batch is not done.
    for (JsonNode fresh : List.of(batch.path("progress"),
        api.get("/api/v1/batches/" + id, alice).json().path("progress"))) {
      assertThat(fresh.path("queued").asInt()).as(fresh.toString()).isEqualTo(2);
      assertThat(fresh.path("failed").asInt()).as(fresh.toString()).isZero();
    }

    String script = "import sys\nprint('got', sys.argv[1])\n";
    String one = submitInto(alice, id, script, "a");
    // One submitted: the other still counts as waiting.
    JsonNode half = api.get("/api/v1/batches/" + id, alice).json().path("progress");
    assertThat(half.path("failed").asInt()).as(half.toString()).isZero();
    assertThat(half.path("queued").asInt() + half.path("running").asInt()
        + half.path("succeeded").asInt()).as(half.toString()).isEqualTo(2);
    String two = submitInto(alice, id, script, "b");
    assertThat(ended(one, alice).path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(ended(two, alice).path("status").asText()).isEqualTo("SUCCEEDED");

    JsonNode done = api.get("/api/v1/batches/" + id, alice).json();
    assertThat(done.path("progress").path("succeeded").asInt()).as(done.toString()).isEqualTo(2);
    assertThat(done.path("progress").path("failed").asInt()).isZero();
    assertThat(done.path("progress").path("queued").asInt()).isZero();
    assertThat(done.path("progress").has("eta")).isFalse();
    assertThat(api.get("/api/v1/executions?batch=" + id, alice).json().path("items")
        .findValuesAsText("id")).containsExactlyInAnyOrder(one, two);
    // Listing by batch stays within the caller's account.
    assertThat(api.get("/api/v1/executions?batch=" + id, bob).json().path("items")).isEmpty();
    // Nothing is left to cancel, nor to retry.
    assertThat(api.post("/api/v1/batches/" + id + "/cancel", alice, "{}").json()
        .path("cancelled").asInt()).isZero();
    Api.Reply retried = api.post("/api/v1/batches/" + id + "/retry?failedOnly=false", alice, "");
    assertThat(retried.status()).as(retried.body()).isEqualTo(200);
    assertThat(retried.json().path("executions")).isEmpty();
  }

  @Test
  void cancelsWhatHasNotEndedAndRetriesTheFailedOnesInsideTheBatch() {
    String id = createBatch(alice, "job.py", 3, 1);
    String failed = submitInto(alice, id, "import sys\nsys.exit(3)\n", "x");
    assertThat(ended(failed, alice).path("status").asText()).isEqualTo("FAILED");
    // At most one at a time: the first blocks, the second waits in the queue.
    String blocking = "import time\ntime.sleep(600)\n";
    String running = submitInto(alice, id, blocking, "1");
    String queued = submitInto(alice, id, blocking, "2");
    until("/api/v1/executions/" + running, alice, e -> e.path("status").asText()
        .equals("RUNNING"));
    assertThat(api.get("/api/v1/executions/" + queued, alice).json().path("status").asText())
        .isEqualTo("QUEUED");

    Api.Reply cancelled = api.post("/api/v1/batches/" + id + "/cancel", alice, "{}");
    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.json().path("cancelled").asInt()).isEqualTo(2);
    assertThat(ended(running, alice).path("status").asText()).isEqualTo("CANCELLED");
    assertThat(ended(queued, alice).path("status").asText()).isEqualTo("CANCELLED");
    JsonNode progress = api.get("/api/v1/batches/" + id, alice).json().path("progress");
    assertThat(progress.path("failed").asInt()).as(progress.toString()).isEqualTo(1);
    assertThat(progress.path("cancelled").asInt()).isEqualTo(2);

    Api.Reply retried = api.post("/api/v1/batches/" + id + "/retry?failedOnly=true", alice, "");
    assertThat(retried.status()).as(retried.body()).isEqualTo(200);
    JsonNode executions = retried.json().path("executions");
    assertThat(executions).hasSize(1);
    assertThat(executions.get(0).path("retryOf").asText()).isEqualTo(failed);
    assertThat(executions.get(0).path("batchId").asText()).isEqualTo(id);
    assertThat(ended(executions.get(0).path("id").asText(), alice).path("status").asText())
        .isEqualTo("FAILED");

    // Without failedOnly, the cancelled ones come back too (and run again: cancel them).
    JsonNode all = api.post("/api/v1/batches/" + id + "/retry", alice, "").json()
        .path("executions");
    assertThat(all.findValuesAsText("retryOf")).containsExactlyInAnyOrder(
        executions.get(0).path("id").asText(), running, queued);
    assertThat(api.post("/api/v1/batches/" + id + "/cancel", alice, "{}").json()
        .path("cancelled").asInt()).isBetween(2, 3);
    for (String retry : all.findValuesAsText("id")) {
      assertThat(ended(retry, alice).path("status").asText()).isIn("FAILED", "CANCELLED");
    }
  }

  @Test
  void anotherAccountsBatchIsNotFoundOnEveryRouteAndCannotBeSubmittedInto() {
    String id = createBatch(alice, "job.py", 1, 1);
    String[][] routes = {
        {"GET", "/api/v1/batches/" + id},
        {"POST", "/api/v1/batches/" + id + "/cancel"},
        {"POST", "/api/v1/batches/" + id + "/retry"},
        {"POST", "/api/v1/batches/" + id + "/retry?failedOnly=true"}};
    for (String[] route : routes) {
      Api.Reply other = route[0].equals("GET") ? api.get(route[1], bob)
          : api.post(route[1], bob, "{}");
      Api.Reply missing = route[0].equals("GET") ? api.get(route[1].replace(id, MISSING), alice)
          : api.post(route[1].replace(id, MISSING), alice, "{}");
      for (Api.Reply r : List.of(other, missing)) {
        assertThat(r.status()).as(route[1] + ": " + r.body()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("not_found");
      }
      // The same answer for a batch of someone else and one that does not exist.
      assertThat(other.json().path("error").path("message").asText())
          .isEqualTo(missing.json().path("error").path("message").asText().replace(MISSING, id));
      for (String key : new String[] {null, "nonsense", bob.substring(0, bob.length() - 1) + "x"}) {
        Api.Reply r = route[0].equals("GET") ? api.get(route[1], key)
            : api.post(route[1], key, "{}");
        assertThat(r.status()).as(route[1] + " with " + key).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthorized");
      }
    }
    assertThat(api.post("/api/v1/batches", null, "{}").status()).isEqualTo(401);
    String sha = api.upload(bob, "print(1)\n".getBytes(StandardCharsets.UTF_8));
    Api.Reply into = api.post("/api/v1/executions", bob, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"batchId\": \"" + id + "\"}");
    assertThat(into.status()).as(into.body()).isEqualTo(404);
    assertThat(into.errorCode()).isEqualTo("not_found");
    assertThat(api.get("/api/v1/batches/" + id, alice).json().path("progress").path("total")
        .asInt()).isEqualTo(1);
    assertThat(api.get("/api/v1/executions?batch=" + id, alice).json().path("items")).isEmpty();
  }

  @Test
  void listsOnlyTheAccountsBatchesNewestFirstWithProgressPageByPage() {
    // An account of its own: the other tests' batches (alice's, bob's) stay out of the count.
    Account c = rgrid.accounts().create("carol");
    String carol = rgrid.accounts().createKey(c.id(), "tests").key();
    assertThat(api.get("/api/v1/batches", carol).json().path("items")).isEmpty();
    String first = createBatch(carol, "first.py", 2, 1);
    String second = createBatch(carol, "second.py", 1, 1);
    String third = createBatch(carol, "third.py", 3, 2);
    createBatch(bob, "bobs.py", 1, 1);

    JsonNode all = api.get("/api/v1/batches", carol).json();
    assertThat(all.path("items").findValuesAsText("id")).containsExactly(third, second, first);
    assertThat(all.has("next")).isFalse();
    JsonNode newest = all.path("items").get(0);
    assertThat(newest.path("script").asText()).isEqualTo("third.py");
    assertThat(newest.path("progress").path("total").asInt()).isEqualTo(3);
    assertThat(newest.path("progress").path("queued").asInt()).isEqualTo(3);
    assertThat(newest.path("labels").isEmpty()).as("no rgrid.* labels shown").isTrue();

    JsonNode page = api.get("/api/v1/batches?limit=2", carol).json();
    assertThat(page.path("items").findValuesAsText("id")).containsExactly(third, second);
    assertThat(page.path("next").asText()).isEqualTo(second);
    JsonNode rest = api.get("/api/v1/batches?limit=2&before=" + second, carol).json();
    assertThat(rest.path("items").findValuesAsText("id")).containsExactly(first);
    assertThat(rest.has("next")).isFalse();

    assertThat(api.get("/api/v1/batches", bob).json().path("items").findValuesAsText("id"))
        .doesNotContain(first, second, third);
    for (String bad : List.of("?limit=0", "?limit=1001", "?limit=x",
        "?before=exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC", "?before=" + "b".repeat(500),
        "?limit=1&limit=2")) {
      Api.Reply r = api.get("/api/v1/batches" + bad, carol);
      assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
    }
    assertThat(api.get("/api/v1/batches", null).status()).isEqualTo(401);
  }

  @Test
  void refusesMalformedHostileAndHugeBatchRequestsWithAClearErrorNeverA5xx() {
    String sha = api.upload(alice, "print(1)\n".getBytes(StandardCharsets.UTF_8));
    String batch = createBatch(alice, "job.py", 1, 1);
    record Case(String name, Api.Reply reply, int status, String code) {}
    List<Case> cases = new ArrayList<>();
    String[][] bodies = {
        {"nothing", "{}", "invalid_request"},
        {"no size", "{\"scriptName\": \"a.py\", \"parallel\": 1}", "invalid_request"},
        {"size 0", "{\"scriptName\": \"a.py\", \"size\": 0, \"parallel\": 1}", "invalid_request"},
        {"negative size", "{\"scriptName\": \"a.py\", \"size\": -4, \"parallel\": 1}",
            "invalid_request"},
        {"too many inputs", "{\"scriptName\": \"a.py\", \"size\": 100001, \"parallel\": 1}",
            "invalid_request"},
        {"size beyond int", "{\"scriptName\": \"a.py\", \"size\": 99999999999, \"parallel\": 1}",
            "malformed_json"},
        {"fractional size", "{\"scriptName\": \"a.py\", \"size\": 1.5, \"parallel\": 1}",
            "malformed_json"},
        {"size as text", "{\"scriptName\": \"a.py\", \"size\": \"3\", \"parallel\": 1}",
            "malformed_json"},
        {"parallel 0", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 0}",
            "invalid_request"},
        {"parallel too big", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 10001}",
            "invalid_request"},
        {"unknown field", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 1, "
            + "\"shell\": \"rm -rf /\"}", "unknown_field"},
        {"script path trick", "{\"scriptName\": \"../a.py\", \"size\": 1, \"parallel\": 1}",
            "invalid_request"},
        {"script in a directory", "{\"scriptName\": \"x/a.py\", \"size\": 1, \"parallel\": 1}",
            "invalid_request"},
        {"dot dot", "{\"scriptName\": \"..\", \"size\": 1, \"parallel\": 1}", "invalid_request"},
        {"control character", "{\"scriptName\": \"a\\u0000.py\", \"size\": 1, \"parallel\": 1}",
            "invalid_request"},
        {"blank script", "{\"scriptName\": \" \", \"size\": 1, \"parallel\": 1}",
            "invalid_request"},
        {"unknown runtime", "{\"scriptName\": \"a.py\", \"runtime\": \"cobol85\", \"size\": 1, "
            + "\"parallel\": 1}", "invalid_request"},
        {"reserved label", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 1, "
            + "\"labels\": {\"rgrid.account\": \"acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC\"}}",
            "invalid_request"},
        {"null label", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 1, "
            + "\"labels\": {\"k\": null}}", "invalid_request"},
        {"bad label key", "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 1, "
            + "\"labels\": {\"a b\": \"c\"}}", "invalid_request"},
        {"malformed", "{\"scriptName\": ", "malformed_json"},
        {"not an object", "[1, 2]", "malformed_json"},
        {"null", "null", "invalid_request"},
        {"empty", "", "invalid_request"}};
    for (String[] b : bodies) {
      cases.add(new Case(b[0], api.post("/api/v1/batches", alice, b[1]),
          400, b[2]));
    }
    cases.add(new Case("huge body", api.post("/api/v1/batches", alice, "{\"scriptName\": \""
        + "x".repeat(2 << 20) + "\", \"size\": 1, \"parallel\": 1}"), 413, "too_large"));
    cases.add(new Case("bad idempotency key", api.post("/api/v1/batches", alice,
        "{\"scriptName\": \"a.py\", \"size\": 1, \"parallel\": 1}", "Idempotency-Key",
        "x".repeat(201)), 400, "invalid_request"));
    // An encoded '/' is refused before any route: a clear 400, not a lookup.
    cases.add(new Case("id with %2F", api.get("/api/v1/batches/batch_..%2F..%2Fetc", alice),
        400, "invalid_request"));
    for (String bad : List.of("not-a-batch", "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC",
        "batch_" + "Z".repeat(900), "batch_01jd5z8q6w3m0t7r2yb4k9n1xc", MISSING)) {
      cases.add(new Case("id " + bad, api.get("/api/v1/batches/" + bad, alice), 404,
          "not_found"));
      cases.add(new Case("cancel " + bad, api.post("/api/v1/batches/" + bad + "/cancel", alice,
          "{}"), 404, "not_found"));
    }
    cases.add(new Case("bad failedOnly", api.post("/api/v1/batches/" + batch
        + "/retry?failedOnly=maybe", alice, "{}"), 400, "invalid_request"));
    cases.add(new Case("failedOnly twice", api.post("/api/v1/batches/" + batch
        + "/retry?failedOnly=true&failedOnly=false", alice, "{}"), 400, "invalid_request"));
    String script = "{\"script\": {\"path\": \"job.py\", \"sha256\": \"" + sha + "\"}";
    cases.add(new Case("submit into a malformed batch id", api.post("/api/v1/executions", alice,
        script + ", \"batchId\": \"../../x\"}"), 404, "not_found"));
    cases.add(new Case("submit into a missing batch", api.post("/api/v1/executions", alice,
        script + ", \"batchId\": \"" + MISSING + "\"}"), 404, "not_found"));
    cases.add(new Case("another script than the batch's", api.post("/api/v1/executions", alice,
        "{\"script\": {\"path\": \"other.py\", \"sha256\": \"" + sha + "\"}, \"batchId\": \""
            + batch + "\"}"), 400, "invalid_request"));
    cases.add(new Case("another runtime than the batch's", api.post("/api/v1/executions", alice,
        script + ", \"runtime\": \"bash\", \"batchId\": \"" + batch + "\"}"), 400,
        "invalid_request"));
    cases.add(new Case("null env value", api.post("/api/v1/executions", alice,
        script + ", \"env\": {\"A\": null}}"), 400, "invalid_request"));
    for (Case c : cases) {
      assertThat(c.reply().status()).as(c.name() + ": " + c.reply().body())
          .isEqualTo(c.status());
      assertThat(c.reply().errorCode()).as(c.name()).isEqualTo(c.code());
      assertThat(c.reply().json().path("error").path("message").asText()).as(c.name())
          .isNotBlank();
    }
    assertThat(api.get("/api/v1/executions?batch=" + batch, alice).json().path("items"))
        .isEmpty();
  }

  @Test
  void anIdempotencyKeyReusedForAnotherRequestIsRefusedAndForTheSameOneAnswersTheFirst() {
    String sha = api.upload(alice, "print('once')\n".getBytes(StandardCharsets.UTF_8));
    String body = "{\"script\": {\"path\": \"once.py\", \"sha256\": \"" + sha + "\"}, "
        + "\"args\": [\"a\"]}";
    Api.Reply first = api.post("/api/v1/executions", alice, body, "Idempotency-Key", "same");
    Api.Reply again = api.post("/api/v1/executions", alice, body, "Idempotency-Key", "same");
    Api.Reply other = api.post("/api/v1/executions", alice, body.replace("\"a\"", "\"b\""),
        "Idempotency-Key", "same");
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
    assertThat(other.status()).as(other.body()).isEqualTo(422);
    assertThat(other.errorCode()).isEqualTo("idempotency_mismatch");
    assertThat(other.json().path("error").path("message").asText())
        .contains(first.json().path("id").asText());

    // Batch keys are apart from execution keys: the same key makes a batch too.
    String batchBody = "{\"scriptName\": \"once.py\", \"size\": 2, \"parallel\": 1}";
    Api.Reply batch = api.post("/api/v1/batches", alice, batchBody, "Idempotency-Key", "same");
    Api.Reply batchAgain = api.post("/api/v1/batches", alice, batchBody, "Idempotency-Key",
        "same");
    Api.Reply batchOther = api.post("/api/v1/batches", alice, batchBody.replace("2", "3"),
        "Idempotency-Key", "same");
    assertThat(batch.status()).as(batch.body()).isEqualTo(201);
    assertThat(batchAgain.status()).isEqualTo(200);
    assertThat(batchAgain.json().path("id").asText()).isEqualTo(batch.json().path("id").asText());
    assertThat(batchOther.status()).isEqualTo(422);
    assertThat(batchOther.errorCode()).isEqualTo("idempotency_mismatch");
    // Another account's key of the same name is another request.
    assertThat(api.post("/api/v1/batches", bob, batchBody, "Idempotency-Key", "same").status())
        .isEqualTo(201);

    // Submitting into a batch under a key: repeated, the same execution; its parallelism is
    // the stored batch's.
    String id = batch.json().path("id").asText();
    String into = body.replace("}, ", "}, \"batchId\": \"" + id + "\", ");
    Api.Reply in1 = api.post("/api/v1/executions", alice, into, "Idempotency-Key", id + "/0");
    Api.Reply in2 = api.post("/api/v1/executions", alice, into, "Idempotency-Key", id + "/0");
    assertThat(in1.status()).as(in1.body()).isEqualTo(201);
    assertThat(in2.status()).isEqualTo(200);
    assertThat(in2.json().path("id").asText()).isEqualTo(in1.json().path("id").asText());
    // The same key and run outside the batch is another request.
    assertThat(api.post("/api/v1/executions", alice, body, "Idempotency-Key", id + "/0")
        .status()).isEqualTo(422);
  }

  @Test
  void retryAnswers201ForANewRetryAnd200ForTheOneItAlreadyHas() {
    // Fails the first time it runs, succeeds afterwards: the marker file remembers.
    Path marker = markers.resolve("ran-once");
    String sha = api.upload(alice, ("import os, sys\n"
        + "if not os.path.exists(" + pyString(marker) + "):\n"
        + "    open(" + pyString(marker) + ", 'w').close()\n    sys.exit(1)\n")
        .getBytes(StandardCharsets.UTF_8));
    Api.Reply submitted = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": "
        + "\"flaky.py\", \"sha256\": \"" + sha + "\"}}");
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
    String id = submitted.json().path("id").asText();
    assertThat(ended(id, alice).path("status").asText()).isEqualTo("FAILED");

    Api.Reply retry = api.post("/api/v1/executions/" + id + "/retry", alice, "{}");
    assertThat(retry.status()).as(retry.body()).isEqualTo(201);
    String retryId = retry.json().path("id").asText();
    assertThat(ended(retryId, alice).path("status").asText()).isEqualTo("SUCCEEDED");

    Api.Reply again = api.post("/api/v1/executions/" + id + "/retry", alice, "{}");
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().path("id").asText()).isEqualTo(retryId);
    Api.Reply succeeded = api.post("/api/v1/executions/" + retryId + "/retry", alice, "{}");
    assertThat(succeeded.status()).isEqualTo(409);
    assertThat(succeeded.json().path("error").path("message").asText())
        .contains("succeeded: nothing to retry");
    assertThat(succeeded.json().path("error").path("hint").asText()).contains("--no-cache");
  }

  private static String pyString(Path p) {
    return "'" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Test
  void aBatchIsRemovedOnlyByItsAccountAndOnlyWhileNoRunOfItIsStored() {
    String empty = createBatch(alice, "job.py", 3, 1);
    String viewer = rgrid.accounts().createKey(rgrid.accounts().authenticate(alice)
        .orElseThrow(), "viewer", true).key();
    assertThat(api.delete("/api/v1/batches/" + empty, viewer).status()).isEqualTo(403);
    assertThat(api.delete("/api/v1/batches/" + empty, bob).status())
        .as("another account's batch is unknown").isEqualTo(404);
    assertThat(api.delete("/api/v1/batches/" + MISSING, alice).status()).isEqualTo(404);
    assertThat(api.delete("/api/v1/batches/batch_nope", alice).status()).isEqualTo(404);
    // An encoded slash never reaches a handler: the router refuses the path itself.
    assertThat(api.delete("/api/v1/batches/..%2F" + empty, alice).status()).isEqualTo(400);
    assertThat(api.delete("/api/v1/batches/" + empty, null).status()).isEqualTo(401);
    assertThat(api.get("/api/v1/batches/" + empty, alice).status()).isEqualTo(200);

    Api.Reply removed = api.delete("/api/v1/batches/" + empty, alice);
    assertThat(removed.status()).as(removed.body()).isEqualTo(204);
    assertThat(api.get("/api/v1/batches/" + empty, alice).status()).isEqualTo(404);
    assertThat(api.delete("/api/v1/batches/" + empty, alice).status()).isEqualTo(404);

    String used = createBatch(alice, "job.py", 2, 1);
    String run = submitInto(alice, used, "print('x')\n", "a");
    Api.Reply kept = api.delete("/api/v1/batches/" + used, alice);
    assertThat(kept.status()).as(kept.body()).isEqualTo(409);
    assertThat(kept.json().path("error").path("message").asText()).contains("has runs");
    assertThat(api.get("/api/v1/batches/" + used, alice).status()).isEqualTo(200);
    ended(run, alice);
  }
}
