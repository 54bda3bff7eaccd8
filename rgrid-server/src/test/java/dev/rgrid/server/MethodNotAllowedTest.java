package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.NewApiKey;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A known path with a method it does not serve is 405 {@code method_not_allowed} with an {@code
 * Allow} header, after the key check on API paths; an unknown path stays 404.
 */
class MethodNotAllowedTest {
  private static final String ID = "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC";
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH");

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String revoked;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(0).build();
    Account a = rgrid.accounts().create("alice");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    NewApiKey old = rgrid.accounts().createKey(a.id(), "old");
    rgrid.accounts().revokeKey(old.record().id());
    revoked = old.key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  @Test
  void answers405WithTheMethodsThePathTakes() {
    record Case(String method, String path, String allow) {}
    List<Case> cases = List.of(
        new Case("DELETE", "/api/v1/executions/" + ID, "GET"),
        new Case("PUT", "/api/v1/runtimes", "GET"),
        new Case("DELETE", "/api/v1/executions", "GET, POST"),
        new Case("POST", "/api/v1/blobs/" + "0".repeat(64), "GET, HEAD, PUT"),
        new Case("PATCH", "/api/v1/limits", "DELETE, GET, PUT"),
        new Case("GET", "/api/v1/executions/" + ID + "/cancel", "POST"),
        new Case("PUT", "/api/v1/executions/" + ID + "/outputs/dir/out.txt", "GET"),
        new Case("DELETE", "/api/v1/executions/" + ID + "/", "GET"));
    for (Case c : cases) {
      Api.Reply r = api.send(c.method(), c.path(), alice, null);
      String what = c.method() + " " + c.path() + ": " + r.body();
      assertThat(r.status()).as(what).isEqualTo(405);
      assertThat(r.raw().headers().firstValue("Allow")).as(what).contains(c.allow());
      assertThat(r.errorCode()).as(what).isEqualTo("method_not_allowed");
      String message = r.json().path("error").path("message").asText();
      assertThat(message).as(what).contains(c.method());
      for (String allowed : c.allow().split(", ")) {
        assertThat(message).as(what).contains(allowed);
      }
      assertThat(r.json().path("error").path("hint").asText()).as(what).isNotBlank();
    }
  }

  @Test
  void aHeadOfAPathServedOnlyByGetIs405WithoutABody() throws Exception {
    Api.Reply r = api.send("HEAD", "/api/v1/executions/" + ID, alice, null);
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.raw().headers().firstValue("Allow")).contains("GET");
    assertThat(r.bytes()).isEmpty();
    // Over HTTP/1.1, a body after it would be read as the start of the next answer.
    try (RawHttp http = new RawHttp(server.port())) {
      http.head("HEAD", "/api/v1/executions/" + ID, alice);
      http.head("GET", "/health", null);
      RawHttp.Response head = http.read();
      assertThat(head.status()).isEqualTo(405);
      assertThat(head.header("Allow")).isEqualTo("GET");
      RawHttp.Response next = http.read();
      assertThat(next.status()).as(next.body()).isEqualTo(200);
      assertThat(next.json().path("status").asText()).isEqualTo("ok");
    }
  }

  @Test
  void theKeyIsCheckedFirstSoAnAnonymousCallerLearnsNothingFromA405() {
    for (String key : new String[] {null, "nonsense", "rgk_000000000000_" + "A".repeat(43),
        revoked}) {
      for (String[] request : List.of(new String[] {"DELETE", "/api/v1/executions/" + ID},
          new String[] {"PUT", "/api/v1/runtimes"}, new String[] {"PATCH", "/api/v1/limits"})) {
        Api.Reply r = api.send(request[0], request[1], key, null);
        String what = request[0] + " " + request[1] + " with " + key;
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
        assertThat(r.errorCode()).as(what).isEqualTo("unauthorized");
        assertThat(r.raw().headers().firstValue("Allow")).as(what).isEmpty();
      }
    }
  }

  @Test
  void anUnknownPathStays404WithOrWithoutAKey() {
    for (String key : new String[] {null, alice}) {
      for (String[] request : List.of(new String[] {"GET", "/api/v1/nothing"},
          new String[] {"DELETE", "/api/v1/nothing/" + ID},
          new String[] {"GET", "/api/v1/executions/" + ID + "/logs/stream/more"},
          new String[] {"POST", "/api/v2/executions"}, new String[] {"GET", "/nothing"})) {
        Api.Reply r = api.send(request[0], request[1], key, null);
        String what = request[0] + " " + request[1] + " with " + key;
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(404);
        assertThat(r.errorCode()).as(what).isEqualTo("not_found");
        assertThat(r.raw().headers().firstValue("Allow")).as(what).isEmpty();
      }
    }
  }

  @Test
  void aPathThatNeedsNoKeyAnswers405WithoutOne() {
    for (String path : List.of("/health", "/ready", "/metrics", "/api/v1/openapi.json")) {
      Api.Reply r = api.send("POST", path, null, null);
      assertThat(r.status()).as("POST " + path + ": " + r.body()).isEqualTo(405);
      assertThat(r.raw().headers().firstValue("Allow")).as(path).contains("GET");
      assertThat(r.errorCode()).as(path).isEqualTo("method_not_allowed");
    }
  }

  @Test
  void everyDocumentedPathAllowsExactlyItsDocumentedMethods() {
    JsonNode doc = api.get("/api/v1/openapi.json", null).json();
    List<String> checked = new ArrayList<>();
    doc.path("paths").fields().forEachRemaining(entry -> {
      Set<String> documented = new TreeSet<>();
      entry.getValue().fieldNames().forEachRemaining(m -> {
        if (METHODS.contains(m.toUpperCase(Locale.ROOT))) {
          documented.add(m.toUpperCase(Locale.ROOT));
        }
      });
      String path = entry.getKey().replace("{id}", ID).replace("{sha256}", "0".repeat(64))
          .replace("{path}", "out.txt").replace("{name}", "token");
      for (String method : METHODS) {
        if (documented.contains(method)) {
          continue;
        }
        Api.Reply r = api.send(method, path, alice, null);
        String what = method + " " + path;
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(405);
        assertThat(r.raw().headers().firstValue("Allow")).as(what)
            .contains(String.join(", ", documented));
        checked.add(what);
      }
    });
    assertThat(checked).hasSizeGreaterThan(50);
  }
}
