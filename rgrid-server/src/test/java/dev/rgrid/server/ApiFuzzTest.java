package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A property-style fuzz of the API over every operation of its OpenAPI document, on loopback:
 * {@value #REQUESTS} random, mostly wrong requests ({@link FuzzRequests}), half of them with a
 * valid key. Whatever comes, the server answers: never a 5xx, every error in the documented JSON
 * shape, no Java or framework type name in any body, and at most one log line per request, none
 * of them a stack trace. A failure names its seed: {@code -Drgrid.fuzz.seed=N} replays it.
 */
class ApiFuzzTest {
  private static final int REQUESTS = 1_500;

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static String key;
  static String execution;
  static String blob;
  static JsonNode doc;

  @BeforeAll
  static void start() {
    // No workers: what the fuzz submits stays queued, and no script runs or logs.
    rgrid = RGrid.builder().home(home).engine("process").workers(0).build();
    Account account = rgrid.accounts().create("fuzz");
    key = rgrid.accounts().createKey(account.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    Api api = new Api(server.port());
    blob = api.upload(key, "print('fuzz')\n".getBytes(StandardCharsets.UTF_8));
    Api.Reply created = api.post("/api/v1/executions", key, "{\"script\": {\"path\": "
        + "\"job.py\", \"sha256\": \"" + blob + "\"}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    execution = created.json().path("id").asText();
    doc = api.get("/api/v1/openapi.json", null).json();
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  @Test
  void noRequestMakesTheServerFailLeakItsInternalsOrFloodItsLog() throws IOException {
    long seed = Long.getLong("rgrid.fuzz.seed", new SecureRandom().nextLong());
    FuzzRequests requests = new FuzzRequests(new Random(seed), operations(), key, execution,
        blob);
    Set<String> codes = new HashSet<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> codes.add(c.asText()));
    int refused = 0;
    Set<Integer> statuses = new java.util.TreeSet<>();
    try (ServerLog log = ServerLog.capture()) {
      for (int i = 0; i < REQUESTS; i++) {
        FuzzRequests.Request request = requests.next();
        String where = "seed " + seed + " (-Drgrid.fuzz.seed=" + seed + "), request " + i
            + ": " + request.described();
        RawHttp.Response response = send(request, where);
        statuses.add(response.status());
        assertThat(response.status()).as(where + "\n-> " + response.body()).isLessThan(500);
        if (!request.target().startsWith("/api/v1/openapi.json")) {
          assertThat(response.body()).as(where).doesNotContainPattern(
              HostileRequestTest.JAVA_NAMES);
        }
        if (response.status() >= 400) {
          refused++;
          if (!request.head()) {
            assertErrorShape(response, codes, where);
          }
        }
      }
      List<String> lines = log.lines();
      assertThat(log.stackTraceLines()).as("seed " + seed + ": stack traces in the log")
          .isEmpty();
      assertThat(lines.size()).as("seed " + seed + ": log lines for " + refused
          + " refused requests:\n" + String.join("\n", lines)).isLessThanOrEqualTo(refused);
    }
    // The fuzz reached the server's refusals, not only its front door.
    assertThat(statuses).as("seed " + seed).contains(200, 400, 401, 404);
  }

  /** Sends one request on a connection of its own; the server must answer it. */
  private static RawHttp.Response send(FuzzRequests.Request request, String where) {
    try (RawHttp http = new RawHttp(server.port())) {
      try {
        http.write(request.bytes());
      } catch (IOException e) {
        // The server may answer and close before a large body is all sent: read the answer.
      }
      return http.read(request.head());
    } catch (IOException e) {
      throw new AssertionError(where + "\n-> no answer: " + e, e);
    }
  }

  /** {@code {"error": {"code", "message"[, "hint"]}}} and nothing else, with a known code. */
  private static void assertErrorShape(RawHttp.Response response, Set<String> codes,
      String where) {
    assertThat(response.header("content-type")).as(where).startsWith("application/json");
    JsonNode body = response.json();
    List<String> top = new ArrayList<>();
    body.fieldNames().forEachRemaining(top::add);
    assertThat(top).as(where).containsExactly("error");
    JsonNode error = body.get("error");
    List<String> fields = new ArrayList<>();
    error.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).as(where).contains("code", "message").isSubsetOf("code", "message",
        "hint");
    assertThat(codes).as(where).contains(error.path("code").asText());
    assertThat(error.path("message").asText()).as(where).isNotBlank();
    error.fields().forEachRemaining(f -> assertThat(f.getValue().isTextual()).as(where)
        .isTrue());
  }

  /** Every operation of the document with its query parameters, references followed. */
  private static List<FuzzRequests.Operation> operations() {
    List<FuzzRequests.Operation> out = new ArrayList<>();
    doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields()
        .forEachRemaining(op -> {
          if (op.getKey().equals("parameters")) {
            return;
          }
          List<String> query = new ArrayList<>();
          for (JsonNode p : op.getValue().path("parameters")) {
            JsonNode param = p.has("$ref")
                ? doc.at(JsonPointer.compile(p.get("$ref").asText().substring(1))) : p;
            if (param.path("in").asText().equals("query")) {
              query.add(param.path("name").asText());
            }
          }
          out.add(new FuzzRequests.Operation(op.getKey().toUpperCase(Locale.ROOT),
              path.getKey(), query, op.getValue().has("requestBody")));
        }));
    assertThat(out).hasSizeGreaterThan(20);
    return out;
  }
}
