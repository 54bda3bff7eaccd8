package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.NewApiKey;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API key is checked before a request body is read: a body without a valid key is refused
 * while the client is still sending it, and the server stops taking it (it closes the connection
 * after a little), whatever its size. With a valid key, the body limits apply as before.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthBeforeBodyTest {
  /** Far more than the server may read of a refused body (its linger plus socket buffers). */
  private static final long HUGE = 512L << 20;
  private static final long AT_MOST_READ = 64L << 20;

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
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
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  static String[] badKeys() {
    return new String[] {null, "nonsense", "rgk_000000000000_" + "A".repeat(43), revoked,
        alice.substring(0, alice.length() - 1) + (alice.endsWith("x") ? "y" : "x")};
  }

  @Test
  void aJsonBodyWithoutAValidKeyIsRefusedBeforeItIsReadAndNotReadToTheEnd() throws Exception {
    for (String key : badKeys()) {
      try (RawHttp http = new RawHttp(server.port())) {
        http.head("POST", "/api/v1/executions", key, "Content-Type: application/json",
            "Transfer-Encoding: chunked");
        http.chunk(1024);
        // The answer comes while the body is unfinished: nothing waited for it.
        RawHttp.Response r = http.read();
        assertThat(r.status()).as("with %s: %s", key, r.body()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
        long sent = http.sendUntilRefused(HUGE, true);
        assertThat(sent).as("bytes the server took after refusing, with %s", key)
            .isLessThan(AT_MOST_READ);
        assertThat(http.closedByServer(false)).isTrue();
      }
    }
  }

  @Test
  void anUploadWithoutAValidKeyIsRefusedBeforeItIsRead() throws Exception {
    for (String key : new String[] {null, revoked}) {
      try (RawHttp http = new RawHttp(server.port())) {
        http.head("PUT", "/api/v1/blobs/" + "0".repeat(64), key,
            "Content-Length: " + (10L << 30));
        http.write(new byte[1024]);
        RawHttp.Response r = http.read();
        assertThat(r.status()).as("with %s: %s", key, r.body()).isEqualTo(401);
        assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(http.sendUntilRefused(HUGE, false)).isLessThan(AT_MOST_READ);
        assertThat(http.closedByServer(false)).isTrue();
      }
    }
  }

  @Test
  void aSmallBodyWithoutAKeyIsDrainedAndTheConnectionClosedCleanly() throws Exception {
    try (RawHttp http = new RawHttp(server.port())) {
      http.head("POST", "/api/v1/executions", null, "Content-Type: application/json",
          "Content-Length: 2");
      http.write("{}".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
      // An orderly end, not a reset: the client read the whole refusal.
      assertThat(http.closedByServer(true)).isTrue();
    }
  }

  @Test
  void aRefusalWithoutABodyKeepsTheConnection() throws Exception {
    try (RawHttp http = new RawHttp(server.port())) {
      http.head("GET", "/api/v1/executions", null);
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("Connection")).isNull();
      http.head("GET", "/api/v1/executions", alice);
      assertThat(http.read().status()).isEqualTo(200);
    }
  }

  @Test
  void aHugeBodyWithAValidKeyIsTooLargeAndTheConnectionStaysUsable() throws Exception {
    try (RawHttp http = new RawHttp(server.port())) {
      http.head("POST", "/api/v1/executions", alice, "Content-Type: application/json",
          "Transfer-Encoding: chunked");
      for (int i = 0; i < 32; i++) { // 2 MiB, twice the limit
        http.chunk(64 * 1024);
      }
      http.chunk(0);
      RawHttp.Response r = http.read();
      assertThat(r.status()).as(r.body()).isEqualTo(413);
      assertThat(r.json().path("error").path("code").asText()).isEqualTo("too_large");
      assertThat(r.header("Connection")).isNull();
      http.head("GET", "/api/v1/executions", alice);
      assertThat(http.read().status()).isEqualTo(200);
    }
  }
}
