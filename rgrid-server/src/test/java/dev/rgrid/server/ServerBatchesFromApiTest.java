package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches fed by other runs through {@code POST /api/v1/batches} ({@code itemsFrom}) on a real
 * server with real in-process workers (process runtime): the answer lists the runs worked out
 * from the store (N to N from a batch, fan-out from an ended run), which run linked to their
 * parent runs and show the link as an item; hostile sources are refused clearly, another
 * account's exactly as an unknown one, with nothing stored; read-only keys cannot feed a batch.
 */
class ServerBatchesFromApiTest {
  private static final String MISSING_EXEC = "exec_01M800000000000000000000AA";
  private static final String MISSING_BATCH = "batch_01M800000000000000000000AA";
  private static final String WRITE_OUT = "import sys\nopen('out.txt', 'w').write(sys.argv[1])\n";
  private static final String SPLIT = "import os\nos.makedirs('parts')\nfor n in 'ab':\n"
      + "    open('parts/' + n + '.csv', 'w').write(n * 2)\nopen('parts/x.txt', 'w').write('')\n";

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String bob;
  static String aliceViewer;
  static String alicesBatch;
  static List<String> alicesBatchRuns = new ArrayList<>();
  static String alicesSplit;
  static String bobsBatch;
  static String bobsSplit;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2).build();
    Account a = rgrid.accounts().create("alice");
    Account b = rgrid.accounts().create("bob");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    aliceViewer = rgrid.accounts().createKey(a.id(), "viewer", true).key();
    bob = rgrid.accounts().createKey(b.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    alicesBatch = batchOf(alice, "p1", "p2");
    bobsBatch = batchOf(bob, "q1");
    alicesSplit = ended(created(alice, SPLIT, ""), alice).path("id").asText();
    bobsSplit = ended(created(bob, SPLIT, ""), bob).path("id").asText();
    for (String id : alicesBatchRuns) {
      assertThat(ended(id, alice).path("status").asText()).isEqualTo("SUCCEEDED");
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** A batch of job.py writing each argument to out.txt, one execution per argument. */
  private static String batchOf(String key, String... args) {
    Api.Reply made = api.post("/api/v1/batches", key, "{\"scriptName\": \"job.py\", "
        + "\"size\": " + args.length + ", \"parallel\": 2}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String batch = made.json().path("id").asText();
    for (String arg : args) {
      String id = created(key, WRITE_OUT, "\"batchId\": \"" + batch + "\", \"args\": [\"" + arg
          + "\"]");
      if (key.equals(alice)) {
        alicesBatchRuns.add(id);
      }
    }
    return batch;
  }

  /** Reads execution {@code id} until it has ended; fails after a minute. */
  private static JsonNode ended(String id, String key) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode now = api.get("/api/v1/executions/" + id, key).json();
      if (!List.of("WAITING", "QUEUED", "RUNNING").contains(now.path("status").asText())) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(id + " never ended: " + now);
      }
      Thread.onSpinWait();
    }
  }

  private static Api.Reply create(String key, String script, String extra) {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    return api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}" + (extra.isEmpty() ? "" : ", " + extra) + "}");
  }

  private static String created(String key, String script, String extra) {
    Api.Reply r = create(key, script, extra);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  private static Api.Reply fed(String key, String itemsFrom, String... headers) {
    return api.post("/api/v1/batches", key, "{\"scriptName\": \"job.py\", \"parallel\": 2, "
        + "\"itemsFrom\": " + itemsFrom + "}", headers);
  }

  private static int batches(String key) {
    return api.get("/api/v1/batches?limit=1000", key).json().path("items").size();
  }

  @Test
  void aBatchFedByAnotherBatchListsARunPerParentRunWhichRunsLinkedToIt() {
    Api.Reply r = fed(alice, "{\"batch\": \"" + alicesBatch + "\", \"glob\": \"out.txt\"}",
        "Idempotency-Key", "fed-1");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode batch = r.json();
    assertThat(batch.path("size").asInt()).isEqualTo(2);
    JsonNode runs = batch.path("runs");
    List<String> parents = new ArrayList<>();
    runs.forEach(run -> parents.add(run.path("execution").asText()));
    assertThat(parents).containsExactlyInAnyOrderElementsOf(alicesBatchRuns);
    // The same request again answers the same batch and runs.
    Api.Reply again = fed(alice, "{\"batch\": \"" + alicesBatch + "\", \"glob\": \"out.txt\"}",
        "Idempotency-Key", "fed-1");
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().path("id")).isEqualTo(batch.path("id"));
    assertThat(again.json().path("runs")).isEqualTo(runs);

    String script = "import sys\nprint('got ' + open(sys.argv[1]).read() + ' as ' + sys.argv[1])\n";
    List<String> children = new ArrayList<>();
    for (JsonNode run : runs) {
      assertThat(run.path("glob").asText()).isEqualTo("out.txt");
      children.add(created(alice, script, "\"batchId\": \"" + batch.path("id").asText()
          + "\", \"args\": [\"{}\"], \"labels\": {\"rgrid.item\": \""
          + run.path("folder").asText() + "\"}, \"parents\": [{\"execution\": \""
          + run.path("execution").asText() + "\", \"glob\": \"out.txt\", \"item\": true}]"));
    }
    List<String> lines = new ArrayList<>();
    for (String child : children) {
      JsonNode done = ended(child, alice);
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
      JsonNode link = done.path("parents").get(0);
      assertThat(link.path("item").asBoolean()).as(done.toString()).isTrue();
      assertThat(done.path("labels").has("rgrid.item")).isTrue();
      lines.add(api.get("/api/v1/executions/" + child + "/logs", alice).json().path("lines")
          .get(0).path("text").asText());
    }
    assertThat(lines).containsExactlyInAnyOrder("got p1 as out.txt", "got p2 as out.txt");
    // A plain parent shows no item flag.
    JsonNode plain = create(alice, "print(1)\n", "\"parents\": [{\"execution\": \""
        + alicesSplit + "\"}]").json();
    assertThat(plain.path("parents").get(0).has("item")).isFalse();
  }

  @Test
  void anEndedRunFansOutARunPerMatchingOutputEachNamingItsExactPath() {
    Api.Reply r = fed(alice, "{\"execution\": \"" + alicesSplit + "\", \"glob\": \"parts/*.csv\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode runs = r.json().path("runs");
    assertThat(runs.size()).isEqualTo(2);
    assertThat(runs.get(0).path("execution").asText()).isEqualTo(alicesSplit);
    assertThat(runs.get(0).path("glob").asText()).isEqualTo("parts/a.csv");
    assertThat(runs.get(1).path("glob").asText()).isEqualTo("parts/b.csv");
    assertThat(runs.get(1).path("folder").asText()).isEqualTo("b.csv");
  }

  @Test
  void anotherAccountsSourceIsRefusedExactlyAsOneThatDoesNotExist() {
    int before = batches(alice);
    for (String[] c : List.of(new String[] {"batch", bobsBatch, MISSING_BATCH, "out.txt"},
        new String[] {"execution", bobsSplit, MISSING_EXEC, "parts/*.csv"})) {
      Api.Reply theirs = fed(alice, "{\"" + c[0] + "\": \"" + c[1] + "\", \"glob\": \"" + c[3]
          + "\"}");
      Api.Reply unknown = fed(alice, "{\"" + c[0] + "\": \"" + c[2] + "\", \"glob\": \"" + c[3]
          + "\"}");
      assertThat(theirs.status()).as(theirs.body()).isEqualTo(400);
      assertThat(theirs.json().path("error").path("message").asText()).startsWith("no " + c[0]
          + " " + c[1]);
      assertThat(theirs.body().replace(c[1], "ID")).isEqualTo(unknown.body().replace(c[2], "ID"));
    }
    assertThat(batches(alice)).as("nothing stored").isEqualTo(before);
  }

  @Test
  void hostileSourcesAreRefusedClearlyStoringNothing() {
    int before = batches(alice);
    String longGlob = "a".repeat(5000);
    String b = "\"batch\": \"" + alicesBatch + "\"";
    List<String[]> cases = List.of(
        new String[] {"{" + b + ", \"execution\": \"" + alicesSplit + "\", \"glob\": \"x\"}",
            "neither or both"},
        new String[] {"{\"glob\": \"x\"}", "neither or both"},
        new String[] {"{" + b + "}", "needs a 'glob'"},
        new String[] {"{\"batch\": \"batch_bad\", \"glob\": \"x\"}", "not a batch id"},
        new String[] {"{\"execution\": \"exec_bad\", \"glob\": \"x\"}", "not an execution id"},
        new String[] {"{\"execution\": \"" + alicesBatch + "\", \"glob\": \"x\"}",
            "not an execution id"},
        new String[] {"{\"batch\": \"" + "b".repeat(5000) + "\", \"glob\": \"x\"}",
            "not a batch id"},
        new String[] {"{" + b + ", \"glob\": \"/etc/passwd\"}", "relative path or glob"},
        new String[] {"{" + b + ", \"glob\": \"../secret.txt\"}", ".."},
        new String[] {"{" + b + ", \"glob\": \"a/../../b\"}", ".."},
        new String[] {"{" + b + ", \"glob\": \"" + longGlob + "\"}", "at most 1024 characters"},
        new String[] {"{" + b + ", \"glob\": \"out.txt\", \"size\": 2}", ""},
        new String[] {"\"" + alicesBatch + "\"", ""},
        new String[] {"{" + b + ", \"glob\": 7}", ""});
    for (String[] c : cases) {
      Api.Reply r = fed(alice, c[0]);
      String shown = c[0].length() > 80 ? c[0].substring(0, 80) + "…" : c[0];
      assertThat(r.status()).as(shown + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(shown).contains(c[1]);
      assertThat(r.body().length()).as("the answer does not echo a huge value").isLessThan(2000);
    }
    // size beside itemsFrom, and an ended run whose outputs match nothing.
    Api.Reply sized = api.post("/api/v1/batches", alice, "{\"scriptName\": \"job.py\", "
        + "\"parallel\": 2, \"size\": 2, \"itemsFrom\": {" + b + ", \"glob\": \"out.txt\"}}");
    assertThat(sized.status()).as(sized.body()).isEqualTo(400);
    assertThat(sized.json().path("error").path("message").asText()).contains("size is left out");
    Api.Reply none = fed(alice, "{\"execution\": \"" + alicesSplit + "\", \"glob\": \"*.json\"}");
    assertThat(none.status()).as(none.body()).isEqualTo(400);
    assertThat(none.json().path("error").path("message").asText()).contains("produced no");
    assertThat(batches(alice)).as("nothing stored").isEqualTo(before);
  }

  @Test
  void anItemLinkIsTakenOnlyAsTheOneParentOfABatchsRun() {
    String item = "{\"execution\": \"" + alicesBatchRuns.get(0) + "\", \"glob\": \"out.txt\", "
        + "\"item\": true}";
    Api.Reply alone = create(alice, "print(1)\n", "\"parents\": [" + item + "]");
    assertThat(alone.status()).as(alone.body()).isEqualTo(400);
    assertThat(alone.json().path("error").path("message").asText()).contains("fills its {}");
    Api.Reply onBatch = create(alice, "print(1)\n", "\"parents\": [{\"batch\": \""
        + alicesBatch + "\", \"glob\": \"out.txt\", \"item\": true}]");
    assertThat(onBatch.status()).as(onBatch.body()).isEqualTo(400);
    assertThat(onBatch.json().path("error").path("message").asText()).contains("parents[0]");
  }

  @Test
  void aReadOnlyKeyCannotFeedABatch() {
    int before = batches(alice);
    Api.Reply r = fed(aliceViewer, "{\"batch\": \"" + alicesBatch + "\", \"glob\": "
        + "\"out.txt\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(r.errorCode()).isEqualTo("read_only");
    assertThat(batches(alice)).isEqualTo(before);
  }
}
