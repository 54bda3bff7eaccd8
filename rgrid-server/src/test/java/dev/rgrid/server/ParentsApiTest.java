package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chained runs through {@code POST /api/v1/executions} ({@code parents}) on a real server with
 * real in-process workers (process runtime): a child waits, shows its parents, takes its
 * parent's output and is skipped naming a failed parent; unknown parents and another account's
 * are refused alike, hostile lists clearly, with nothing stored; read-only keys cannot chain.
 */
class ParentsApiTest {
  private static final String MISSING_EXEC = "exec_01M800000000000000000000AA";
  private static final String MISSING_BATCH = "batch_01M800000000000000000000AA";

  @TempDir static Path home;
  @TempDir static Path markers;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String bob;
  static String aliceViewer;

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
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** Reads execution {@code id} until {@code done} holds; fails after a minute. */
  static JsonNode until(String id, String key, Predicate<JsonNode> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode now = api.get("/api/v1/executions/" + id, key).json();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(id + " never got there: " + now);
      }
      Thread.onSpinWait();
    }
  }

  static JsonNode ended(String id, String key) {
    return until(id, key, e -> !List.of("WAITING", "QUEUED", "RUNNING")
        .contains(e.path("status").asText()));
  }

  /** Creates job.py running {@code script}, with {@code extra} JSON fields; the reply. */
  static Api.Reply create(String key, String script, String extra) {
    String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
    return api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}" + (extra.isEmpty() ? "" : ", " + extra) + "}");
  }

  static String created(String key, String script, String extra) {
    Api.Reply r = create(key, script, extra);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  static int stored(String key) {
    return api.get("/api/v1/executions?limit=1000", key).json().path("items").size();
  }

  @Test
  void aChildWaitsShowingItsParentThenRunsOnTheParentsOutputUploadingNothingForIt()
      throws Exception {
    Path go = markers.resolve("go-" + System.nanoTime());
    String parent = created(alice, "import os, time\nwhile not os.path.exists(" + pyString(go)
        + "):\n    time.sleep(0.02)\nopen('out.txt', 'w').write('forty-two')\n", "");
    String child = created(alice, "print(open('out.txt').read())\n", "\"parents\": [{"
        + "\"execution\": \"" + parent + "\", \"glob\": \"out.txt\"}], \"labels\": {"
        + "\"rgrid.pipeline\": \"pipe_test\", \"rgrid.step\": \"consume\", \"team\": \"x\"}");
    JsonNode waiting = api.get("/api/v1/executions/" + child, alice).json();
    assertThat(waiting.path("status").asText()).isEqualTo("WAITING");
    assertThat(waiting.path("parents").get(0).path("execution").asText()).isEqualTo(parent);
    assertThat(waiting.path("parents").get(0).path("glob").asText()).isEqualTo("out.txt");
    assertThat(waiting.path("parents").get(0).has("batch")).isFalse();
    assertThat(waiting.path("inputs").size()).as("nothing staged for the parent's output yet")
        .isZero();
    // The pipeline's labels are shown and filter the list; the account's stays hidden.
    assertThat(waiting.path("labels").path("rgrid.step").asText()).isEqualTo("consume");
    assertThat(waiting.path("labels").has("rgrid.account")).isFalse();
    JsonNode byLabel = api.get("/api/v1/executions?label=rgrid.pipeline=pipe_test"
        + "&status=WAITING", alice).json();
    assertThat(byLabel.path("items").size()).isEqualTo(1);
    assertThat(byLabel.path("items").get(0).path("id").asText()).isEqualTo(child);
    assertThat(api.get("/api/v1/executions?label=rgrid.account=alice", alice).status())
        .isEqualTo(400);
    Files.writeString(go, "");
    JsonNode done = ended(child, alice);
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    JsonNode logs = api.get("/api/v1/executions/" + child + "/logs", alice).json();
    assertThat(logs.path("lines").get(0).path("text").asText()).isEqualTo("forty-two");
  }

  @Test
  void aChildOfAFailedParentEndsSkippedNamingIt() {
    String parent = created(alice, "raise SystemExit(3)\n", "");
    String child = created(alice, "print('never')\n",
        "\"parents\": [{\"execution\": \"" + parent + "\"}]");
    JsonNode done = ended(child, alice);
    assertThat(done.path("status").asText()).isEqualTo("SKIPPED");
    assertThat(done.path("failure").path("message").asText()).contains(parent);
    assertThat(done.has("startedAt")).as("it never ran").isFalse();
  }

  @Test
  void anotherAccountsParentIsRefusedExactlyAsOneThatDoesNotExist() {
    String bobs = created(bob, "print('bob')\n", "");
    String bobsBatch = api.post("/api/v1/batches", bob, "{\"scriptName\": \"job.py\", "
        + "\"size\": 1, \"parallel\": 1}").json().path("id").asText();
    int before = stored(alice);
    for (String[] pair : List.of(new String[] {"execution", bobs, MISSING_EXEC},
        new String[] {"batch", bobsBatch, MISSING_BATCH})) {
      Api.Reply theirs = create(alice, "print(1)\n",
          "\"parents\": [{\"" + pair[0] + "\": \"" + pair[1] + "\"}]");
      Api.Reply unknown = create(alice, "print(1)\n",
          "\"parents\": [{\"" + pair[0] + "\": \"" + pair[2] + "\"}]");
      assertThat(theirs.status()).as(theirs.body()).isEqualTo(400);
      assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
      assertThat(theirs.json().path("error").path("message").asText())
          .isEqualTo("no " + pair[0] + " " + pair[1] + " to wait for");
      assertThat(theirs.body().replace(pair[1], "ID"))
          .isEqualTo(unknown.body().replace(pair[2], "ID"));
    }
    assertThat(stored(alice)).as("nothing stored").isEqualTo(before);
  }

  @Test
  void hostileParentListsAreRefusedClearlyStoringNothing() {
    int before = stored(alice);
    String many = String.join(", ", java.util.Collections.nCopies(10_000,
        "{\"execution\": \"" + MISSING_EXEC + "\"}"));
    String longGlob = "a".repeat(5000);
    List<String[]> cases = List.of(
        new String[] {"[" + many + "]", "at most 100 others, this one names 10000"},
        new String[] {"[{\"execution\": \"exec_bad\"}]", "parents[0]: not an execution id"},
        new String[] {"[{\"batch\": \"exec_01M800000000000000000000AA\"}]", "parents[0]"},
        new String[] {"[{\"execution\": \"" + MISSING_EXEC + "\", \"batch\": \""
            + MISSING_BATCH + "\"}]", "neither or both"},
        new String[] {"[{\"glob\": \"x\"}]", "neither or both"},
        new String[] {"[null]", "neither or both"},
        new String[] {"[{\"execution\": \"" + MISSING_EXEC + "\", \"glob\": \"/etc/passwd\"}]",
            "relative path or glob"},
        new String[] {"[{\"execution\": \"" + MISSING_EXEC + "\", \"glob\": \"" + longGlob
            + "\"}]", "at most 1024 characters"},
        new String[] {"\"exec_01M800000000000000000000AA\"", ""},
        new String[] {"[{\"execution\": 7}]", ""});
    for (String[] c : cases) {
      Api.Reply r = create(alice, "print(1)\n", "\"parents\": " + c[0]);
      String shown = c[0].length() > 80 ? c[0].substring(0, 80) + "…" : c[0];
      assertThat(r.status()).as(shown + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(shown).contains(c[1]);
      assertThat(r.body().length()).as("the answer does not echo a huge value").isLessThan(2000);
    }
    assertThat(stored(alice)).as("nothing stored").isEqualTo(before);
  }

  @Test
  void aReadOnlyKeyCannotCreateAChild() {
    String parent = created(alice, "print('p')\n", "");
    String sha = api.upload(alice, "print('c')\n".getBytes(StandardCharsets.UTF_8));
    int before = stored(alice);
    Api.Reply r = api.post("/api/v1/executions", aliceViewer, "{\"script\": {\"path\": "
        + "\"job.py\", \"sha256\": \"" + sha + "\"}, \"parents\": [{\"execution\": \""
        + parent + "\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(r.errorCode()).isEqualTo("read_only");
    assertThat(stored(alice)).isEqualTo(before);
  }

  private static String pyString(Path p) {
    return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
