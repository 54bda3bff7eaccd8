package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.NewApiKey;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server trusts an API key it verified for {@link ServerOptions#keyCacheTtl()}: a revoked key
 * is refused once that time passed (at once with no TTL), and nothing but the exact key the
 * store accepted is ever trusted. Over every way a route checks keys: a route whose work blocks
 * (the key checked in the same worker hop), one that reads a JSON body, and one answered on the
 * event loop.
 */
class ApiKeyCacheTest {
  @TempDir static Path home;
  static LocalRGrid rgrid;
  static Account alice;
  static Account bob;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(0).build();
    alice = rgrid.accounts().create("alice");
    bob = rgrid.accounts().create("bob");
  }

  @AfterAll
  static void stop() {
    rgrid.close();
  }

  /** A request that checks the key its own way, and its status with a valid key. */
  record Check(String name, Function<String, Api.Reply> send, int accepted) {}

  static List<Check> checks(Api api) {
    return List.of(
        new Check("GET /api/v1/executions (blocking work)",
            key -> api.get("/api/v1/executions", key), 200),
        new Check("GET /api/v1/runtimes (event loop)", key -> api.get("/api/v1/runtimes", key),
            200),
        new Check("POST /api/v1/executions (JSON body)",
            key -> api.post("/api/v1/executions", key, "{}"), 400)); // 400: no script
  }

  static void assertAccepted(Api api, String key, boolean accepted, String what) {
    for (Check check : checks(api)) {
      Api.Reply r = check.send().apply(key);
      assertThat(r.status()).as(what + ", " + check.name() + ": " + r.body())
          .isEqualTo(accepted ? check.accepted() : 401);
    }
  }

  @Test
  void aRevokedKeyIsRefusedOnceTheTtlHasPassed() {
    try (RGridServer server = RGridServer.start(rgrid,
        ServerOptions.defaults(0).withKeyCacheTtl(Duration.ofMillis(200)))) {
      Api api = new Api(server.port());
      NewApiKey key = rgrid.accounts().createKey(alice.id(), "short");
      assertAccepted(api, key.key(), true, "before the revocation");
      rgrid.accounts().revokeKey(key.record().id());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (api.get("/api/v1/executions", key.key()).status() != 401) {
        assertThat(System.nanoTime()).as("the revoked key is still accepted").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertAccepted(api, key.key(), false, "after the TTL");
    }
  }

  @Test
  void aVerifiedKeyIsTrustedForTheTtlAndNotAtAllWithoutOne() {
    try (RGridServer cached = RGridServer.start(rgrid,
            ServerOptions.defaults(0).withKeyCacheTtl(Duration.ofHours(1)));
        RGridServer uncached = RGridServer.start(rgrid,
            ServerOptions.defaults(0).withKeyCacheTtl(Duration.ZERO))) {
      Api trusting = new Api(cached.port());
      Api asking = new Api(uncached.port());
      NewApiKey key = rgrid.accounts().createKey(alice.id(), "long");
      assertAccepted(trusting, key.key(), true, "verified");
      assertAccepted(asking, key.key(), true, "verified");
      rgrid.accounts().revokeKey(key.record().id());
      // An hour has not passed: the first server does not ask the store again.
      assertAccepted(trusting, key.key(), true, "revoked, within the TTL");
      assertAccepted(asking, key.key(), false, "revoked, with no TTL");
    }
  }

  @Test
  void onlyTheExactKeyTheStoreAcceptedIsTrusted() {
    try (RGridServer server = RGridServer.start(rgrid,
        ServerOptions.defaults(0).withKeyCacheTtl(Duration.ofHours(1)))) {
      Api api = new Api(server.port());
      String key = rgrid.accounts().createKey(alice.id(), "exact").key();
      assertAccepted(api, key, true, "the key");
      String last = key.substring(key.length() - 1);
      for (String bad : List.of(key.substring(0, key.length() - 1) + (last.equals("x") ? "y"
          : "x"), key + "x", key.substring(0, key.length() - 1), key.toUpperCase(),
          "rgk_000000000000_" + key.substring(key.length() - 43))) {
        for (int i = 0; i < 2; i++) { // a refused key is not remembered as good either
          assertAccepted(api, bad, false, bad);
        }
      }
      assertAccepted(api, key, true, "the key, still");
    }
  }

  @Test
  void aCachedKeyStillSeesOnlyItsOwnAccount() {
    try (RGridServer server = RGridServer.start(rgrid,
        ServerOptions.defaults(0).withKeyCacheTtl(Duration.ofHours(1)))) {
      Api api = new Api(server.port());
      String alices = rgrid.accounts().createKey(alice.id(), "scoped").key();
      String bobs = rgrid.accounts().createKey(bob.id(), "scoped").key();
      String sha = api.upload(alices, "print(1)\n".getBytes(StandardCharsets.UTF_8));
      Api.Reply created = api.post("/api/v1/executions", alices, "{\"script\": {\"path\": "
          + "\"a.py\", \"sha256\": \"" + sha + "\"}}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().path("id").asText();
      for (int i = 0; i < 2; i++) { // verified, then cached
        assertThat(api.get("/api/v1/executions/" + id, alices).status()).isEqualTo(200);
        Api.Reply other = api.get("/api/v1/executions/" + id, bobs);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.body()).isEqualTo(api.get("/api/v1/executions/"
            + "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC", bobs).body().replace(
                "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC", id));
      }
    }
  }
}
