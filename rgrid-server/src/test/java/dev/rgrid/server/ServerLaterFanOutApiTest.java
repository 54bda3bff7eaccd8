package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fanned out from a run that has not ended, through {@code POST /api/v1/batches} on a
 * real server with real in-process workers (process runtime): the answer says it expands later,
 * the client's one template run ({@code rgrid.fan-out=pending}, linked to the source) is taken
 * into it, and the source's end expands it. Hostile template submissions are refused with
 * nothing stored: into an ordinary batch, into no batch, into another account's batch (answered
 * exactly as an unknown one), a second time, with another parent or glob, and with a read-only
 * key; an ordinary run is refused in such a batch, and a client cannot mark a batch itself.
 */
class ServerLaterFanOutApiTest {
  private static final String MISSING_BATCH = "batch_01M800000000000000000000AA";
  /** Waits until the file named by its first argument exists, then writes two parts. */
  private static final String HOLD = "import os, sys, time\n"
      + "while not os.path.exists(sys.argv[1]):\n    time.sleep(0.02)\n"
      + "os.makedirs('parts')\nfor n in 'ab':\n    open('parts/' + n + '.csv', 'w').write(n * 2)\n";
  private static final String READ = "import sys\nprint('got ' + open(sys.argv[1]).read())\n";
  private static final String GLOB = "parts/*.csv";

  @TempDir static Path home;
  @TempDir static Path gates;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String aliceViewer;
  static String bob;
  static String readSha;
  static int gate;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(4).build();
    Account a = rgrid.accounts().create("alice");
    Account b = rgrid.accounts().create("bob");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    aliceViewer = rgrid.accounts().createKey(a.id(), "viewer", true).key();
    bob = rgrid.accounts().createKey(b.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    readSha = api.upload(alice, READ.getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** A run of {@code key} held until {@link #release} is called with what this returns. */
  private static String[] held(String key) {
    Path go = gates.resolve("go-" + (++gate));
    String sha = api.upload(key, HOLD.getBytes(StandardCharsets.UTF_8));
    Api.Reply r = api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"hold.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"args\": [\"" + go + "\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return new String[] {r.json().path("id").asText(), go.toString()};
  }

  private static void release(String[] held) throws IOException {
    Files.writeString(Path.of(held[1]), "go");
  }

  private static Api.Reply later(String key, String execution) {
    return api.post("/api/v1/batches", key, "{\"scriptName\": \"read.py\", \"parallel\": 2, "
        + "\"itemsFrom\": {\"execution\": \"" + execution + "\", \"glob\": \"" + GLOB + "\"}}");
  }

  /** A run of read.py submitted into {@code batch}, labelled and linked as given. */
  private static Api.Reply into(String key, String batch, String labels, String parents) {
    String sha = key.equals(alice) ? readSha : api.upload(key, READ.getBytes(
        StandardCharsets.UTF_8));
    return api.post("/api/v1/executions", key, "{\"script\": {\"path\": \"read.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"args\": [\"{}\"]"
        + (batch == null ? "" : ", \"batchId\": \"" + batch + "\"")
        + ", \"labels\": " + labels + ", \"parents\": " + parents + "}");
  }

  private static String template(String execution, String glob) {
    return "[{\"execution\": \"" + execution + "\", \"glob\": \"" + glob + "\", \"item\": true}]";
  }

  private static final String PENDING = "{\"rgrid.fan-out\": \"pending\"}";

  private static int runsOf(String key, String batch) {
    return api.get("/api/v1/executions?batch=" + batch, key).json().path("items").size();
  }

  @Test
  void aBatchFromARunNotEndedExpandsLaterFromTheOneTemplateTheClientSubmits() throws Exception {
    String[] parent = held(alice);
    String[] otherRun = held(alice); // a run of the account, not the batch's source
    try {
      expandsLater(parent, otherRun[0]);
    } finally {
      release(parent);
      release(otherRun);
    }
  }

  private static void expandsLater(String[] parent, String other) throws IOException {
    Api.Reply made = later(alice, parent[0]);
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode batch = made.json();
    assertThat(batch.path("expandsLater").asBoolean()).isTrue();
    assertThat(batch.path("size").asInt()).isZero();
    assertThat(batch.path("runs").size()).isZero();
    assertThat(batch.path("labels").has("rgrid.fan-out.source")).as("RGrid's mark is not shown")
        .isFalse();
    String id = batch.path("id").asText();
    JsonNode read = api.get("/api/v1/batches/" + id, alice).json();
    assertThat(read.has("expandsLater")).as("only in the answer to the creation").isFalse();

    // Refused, nothing stored: another parent, another glob, several parents, another mark,
    // and an ordinary run (its runs are made by a worker).
    List<String[]> refused = List.of(
        new String[] {PENDING, template(other, GLOB), "waits for the batch's source alone"},
        new String[] {PENDING, template(parent[0], "parts/*"), "source alone"},
        new String[] {PENDING, "[" + template(parent[0], GLOB).replaceAll("^\\[|\\]$", "")
            + ", {\"execution\": \"" + other + "\"}]", ""},
        new String[] {"{\"rgrid.fan-out\": \"yes\"}", template(parent[0], GLOB), "'pending'"},
        new String[] {"{\"rgrid.fan-out\": \"pending\", \"rgrid.fan-out.max-inputs\": "
            + "\"lots\"}", template(parent[0], GLOB), "a number from 1 to 100000"},
        new String[] {"{\"rgrid.fan-out\": \"pending\", \"rgrid.fan-out.max-inputs\": "
            + "\"100001\"}", template(parent[0], GLOB), "was '100001'"},
        new String[] {"{\"rgrid.fan-out\": \"pending\", \"rgrid.fan-out.max-inputs\": "
            + "\"0\"}", template(parent[0], GLOB), "was '0'"},
        new String[] {"{}", template(parent[0], "parts/a.csv"), "its runs are made then"});
    for (String[] c : refused) {
      Api.Reply r = into(alice, id, c[0], c[1]);
      assertThat(r.status()).as(c[0] + c[1] + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(c[1]).contains(c[2]);
    }
    assertThat(runsOf(alice, id)).isZero();

    Api.Reply ok = into(alice, id, PENDING, template(parent[0], GLOB));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    assertThat(ok.json().path("status").asText()).isEqualTo("WAITING");
    assertThat(ok.json().path("labels").path("rgrid.fan-out").asText()).isEqualTo("pending");
    Api.Reply twice = into(alice, id, PENDING, template(parent[0], GLOB));
    assertThat(twice.status()).as(twice.body()).isEqualTo(409);
    assertThat(twice.errorCode()).isEqualTo("conflict");
    assertThat(twice.json().path("error").path("message").asText())
        .contains("has its template run already");
    assertThat(runsOf(alice, id)).isEqualTo(1);

    release(parent);
    JsonNode done = Poll.until(() -> api.get("/api/v1/batches/" + id, alice).json(),
        b -> b.path("progress").path("succeeded").asInt() == 2);
    assertThat(done.path("progress").path("total").asInt()).isEqualTo(2);
    assertThat(runsOf(alice, id)).as("the template and its two runs").isEqualTo(3);
    JsonNode templateRun = api.get("/api/v1/executions/" + ok.json().path("id").asText(), alice)
        .json();
    assertThat(templateRun.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(templateRun.path("retriedBy").asText()).startsWith("exec_");
    // Expanded: no template goes in any more.
    Api.Reply after = into(alice, id, PENDING, template(parent[0], GLOB));
    assertThat(after.status()).as(after.body()).isEqualTo(409);
  }

  @Test
  void aRepeatedCreationUnderOneKeyAnswersTheSameBatchThatExpandsLater() throws Exception {
    String[] parent = held(alice);
    try {
      String body = "{\"scriptName\": \"read.py\", \"parallel\": 2, \"itemsFrom\": "
          + "{\"execution\": \"" + parent[0] + "\", \"glob\": \"" + GLOB + "\"}}";
      Api.Reply first = api.post("/api/v1/batches", alice, body, "Idempotency-Key", "later-1");
      Api.Reply again = api.post("/api/v1/batches", alice, body, "Idempotency-Key", "later-1");
      assertThat(first.status()).as(first.body()).isEqualTo(201);
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      assertThat(again.json().path("id")).isEqualTo(first.json().path("id"));
      assertThat(again.json().path("expandsLater").asBoolean()).isTrue();
      Api.Reply other = api.post("/api/v1/batches", alice, body.replace(GLOB, "parts/*"),
          "Idempotency-Key", "later-1");
      assertThat(other.status()).as(other.body()).isEqualTo(422);
      assertThat(other.errorCode()).isEqualTo("idempotency_mismatch");
    } finally {
      release(parent);
    }
  }

  @Test
  void aTemplateLabelIsRefusedOutsideABatchThatExpandsLater() throws Exception {
    String[] parent = held(alice);
    try {
      Api.Reply plain = api.post("/api/v1/batches", alice, "{\"scriptName\": \"read.py\", "
          + "\"size\": 1, \"parallel\": 1}");
      String ordinary = plain.json().path("id").asText();
      Api.Reply r = into(alice, ordinary, PENDING, template(parent[0], GLOB));
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText())
          .contains("was not created to fan out later");
      assertThat(runsOf(alice, ordinary)).as("nothing stored").isZero();

      Api.Reply lone = into(alice, null, PENDING, "[]");
      assertThat(lone.status()).as(lone.body()).isEqualTo(400);
      assertThat(lone.json().path("error").path("message").asText()).contains("names no batch");

      for (String mark : List.of("rgrid.fan-out", "rgrid.fan-out.source")) {
        Api.Reply marked = api.post("/api/v1/batches", alice, "{\"scriptName\": \"read.py\", "
            + "\"size\": 1, \"parallel\": 1, \"labels\": {\"" + mark + "\": \"pending\"}}");
        assertThat(marked.status()).as(marked.body()).isEqualTo(400);
        assertThat(marked.json().path("error").path("message").asText()).contains(mark);
      }
    } finally {
      release(parent);
    }
  }

  @Test
  void anotherAccountsLaterBatchIsAnsweredExactlyAsAnUnknownOne() throws Exception {
    String[] bobs = held(bob);
    String[] alices = held(alice);
    try {
      Api.Reply made = later(bob, bobs[0]);
      assertThat(made.status()).as(made.body()).isEqualTo(201);
      String theirs = made.json().path("id").asText();
      Api.Reply intoTheirs = into(alice, theirs, PENDING, template(alices[0], GLOB));
      Api.Reply intoNone = into(alice, MISSING_BATCH, PENDING, template(alices[0], GLOB));
      assertThat(intoTheirs.status()).as(intoTheirs.body()).isEqualTo(404);
      assertThat(intoTheirs.body().replace(theirs, "ID"))
          .isEqualTo(intoNone.body().replace(MISSING_BATCH, "ID"));
      // Their source as the parent is unknown too.
      Api.Reply theirParent = into(alice, theirs, PENDING, template(bobs[0], GLOB));
      assertThat(theirParent.status()).isIn(400, 404);
      assertThat(runsOf(bob, theirs)).isZero();
    } finally {
      release(bobs);
      release(alices);
    }
  }

  @Test
  void aReadOnlyKeyCanNeitherCreateNorFillABatchThatExpandsLater() throws Exception {
    String[] parent = held(alice);
    try {
      Api.Reply made = later(alice, parent[0]);
      String id = made.json().path("id").asText();
      Api.Reply created = later(aliceViewer, parent[0]);
      assertThat(created.status()).as(created.body()).isEqualTo(403);
      assertThat(created.errorCode()).isEqualTo("read_only");
      Api.Reply filled = api.post("/api/v1/executions", aliceViewer, "{\"script\": {\"path\": "
          + "\"read.py\", \"sha256\": \"" + readSha + "\"}, \"batchId\": \"" + id + "\", "
          + "\"labels\": " + PENDING + ", \"parents\": " + template(parent[0], GLOB) + "}");
      assertThat(filled.status()).as(filled.body()).isEqualTo(403);
      assertThat(filled.errorCode()).isEqualTo("read_only");
      assertThat(runsOf(alice, id)).isZero();
    } finally {
      release(parent);
    }
  }
}
