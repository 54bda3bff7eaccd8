package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retry} of {@code POST /api/v1/executions} on a real server: what a field left out
 * defaults to, and hostile policies refused with a 400 naming what is wrong, nothing stored.
 */
class RetryRequestApiTest {
  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String sha;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
    Account a = rgrid.accounts().create("alice");
    alice = rgrid.accounts().createKey(a.id(), "tests").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    sha = api.upload(alice, "print(1)\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  static Api.Reply create(String retry) {
    return api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"job.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"retry\": " + retry + "}");
  }

  @Test
  void aFieldLeftOutTakesTheDefaultPolicysValue() {
    Api.Reply r = create("{\"maxRetries\": 5, \"retryOn\": [\"script-exit\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode retry = r.json().path("retry");
    assertThat(retry.path("maxRetries").asInt()).isEqualTo(5);
    assertThat(retry.path("retryOn").get(0).asText()).isEqualTo("script-exit");
    assertThat(retry.path("retryOn").size()).isEqualTo(1);
    assertThat(retry.path("initialDelayMillis").asLong()).isEqualTo(1000);
    assertThat(retry.path("jitter").asText()).isEqualTo("EQUAL");
  }

  @Test
  void hostilePoliciesAreRefusedNamingWhatIsWrongAndStoreNothing() {
    int before = api.get("/api/v1/executions?limit=1000", alice).json().path("items").size();
    List<String[]> cases = List.of(
        new String[] {"{\"maxRetries\": 1000}", "maxRetries must be from 0 to 100"},
        new String[] {"{\"maxRetries\": -1}", "maxRetries must be from 0 to 100"},
        new String[] {"{\"maxRetries\": 1099511627776}", "maxRetries"},
        new String[] {"{\"maxRetries\": 1.5}", "maxRetries"},
        new String[] {"{\"initialDelayMillis\": 0}", "initialDelay must be positive"},
        new String[] {"{\"maxDelayMillis\": 1000000000000}", "at most 24 hours"},
        new String[] {"{\"multiplier\": 0.5}", "multiplier"},
        new String[] {"{\"multiplier\": 1e400}", "multiplier"},
        new String[] {"{\"retryOn\": [\"cancelled\"]}", "must not contain CANCELLED"},
        new String[] {"{\"retryOn\": [\"nope\"]}", "unknown failure kind: nope"},
        new String[] {"{\"retryOn\": [null]}", "retryOn cannot hold null"},
        new String[] {"{\"jitter\": \"SOMETIMES\"}", "jitter is NONE, EQUAL or FULL"},
        new String[] {"{\"tries\": 3}", "tries"},
        new String[] {"\"always\"", "retry"});
    for (String[] c : cases) {
      Api.Reply r = create(c[0]);
      assertThat(r.status()).as(c[0] + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().path("error").path("message").asText()).as(c[0]).contains(c[1]);
    }
    assertThat(api.get("/api/v1/executions?limit=1000", alice).json().path("items").size())
        .as("nothing stored").isEqualTo(before);
  }
}
