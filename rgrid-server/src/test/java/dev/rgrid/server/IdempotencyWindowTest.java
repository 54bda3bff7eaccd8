package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code Idempotency-Key} names what it created for {@link ServerOptions#idempotencyWindow()},
 * timed by the clock of the RGrid the server serves (moved by hand here): within the window a
 * repeated request gets the same execution or batch (200), after it a new one (201). The server
 * forgets expired keys as it starts.
 */
class IdempotencyWindowTest {
  @TempDir Path home;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T10:00:00Z"));
  private LocalRGrid rgrid;
  private Account account;
  private String alice;

  @BeforeEach
  void start() {
    // No workers: nothing runs, so nothing else reads the clock the test moves.
    rgrid = RGrid.builder().home(home).engine("process").workers(0).clock(clock).build();
    account = rgrid.accounts().create("alice");
    alice = rgrid.accounts().createKey(account.id(), "tests").key();
  }

  @AfterEach
  void stop() {
    rgrid.close();
  }

  @Test
  void theSameKeyGivesTheSameExecutionWithinTheWindowAndANewOneAfterIt() {
    Duration window = Duration.ofMinutes(5);
    try (RGridServer server = RGridServer.start(rgrid,
        ServerOptions.defaults(0).withIdempotencyWindow(window))) {
      Api api = new Api(server.port());
      String sha = api.upload(alice, "print('hi')\n".getBytes(StandardCharsets.UTF_8));
      String body = "{\"script\": {\"path\": \"job.py\", \"sha256\": \"" + sha + "\"}}";

      String first = created(api.post("/api/v1/executions", alice, body, "Idempotency-Key",
          "job-1"));
      clock.advance(window); // remembered exactly one window ago: still within it
      assertThat(repeated(api.post("/api/v1/executions", alice, body, "Idempotency-Key",
          "job-1"))).isEqualTo(first);

      clock.advance(Duration.ofMillis(1));
      String second = created(api.post("/api/v1/executions", alice, body, "Idempotency-Key",
          "job-1"));
      assertThat(second).isNotEqualTo(first);
      assertThat(repeated(api.post("/api/v1/executions", alice, body, "Idempotency-Key",
          "job-1"))).as("the key now names the new one").isEqualTo(second);
      assertThat(api.get("/api/v1/executions/" + first, alice).status())
          .as("the first is still there").isEqualTo(200);
    }
  }

  @Test
  void aBatchKeyIsKeptForTheDefaultDay() {
    try (RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(0))) {
      Api api = new Api(server.port());
      String body = "{\"scriptName\": \"job.py\", \"size\": 2, \"parallel\": 1}";

      String first = created(api.post("/api/v1/batches", alice, body, "Idempotency-Key", "b"));
      clock.advance(Duration.ofHours(24));
      assertThat(repeated(api.post("/api/v1/batches", alice, body, "Idempotency-Key", "b")))
          .isEqualTo(first);
      clock.advance(Duration.ofNanos(1_000));
      String second = created(api.post("/api/v1/batches", alice, body, "Idempotency-Key", "b"));
      assertThat(second).isNotEqualTo(first);
    }
  }

  @Test
  void forgetsExpiredKeysAsItStarts() throws Exception {
    AccountStore store = rgrid.accounts().store();
    Random random = new Random(1);
    ExecutionId stale = ExecutionId.generate(clock.instant(), random);
    ExecutionId fresh = ExecutionId.generate(clock.instant(), random);
    store.rememberIdempotent(account.id(), "stale", stale, clock.instant(), Instant.MIN);
    store.rememberIdempotent(account.id(), "fresh", fresh,
        clock.instant().plus(Duration.ofHours(2)), Instant.MIN);
    clock.advance(Duration.ofHours(25));

    try (RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(0))) {
      assertThat(server.firstIdempotencyPrune().toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(store.findIdempotent(account.id(), "stale", Instant.MIN)).isEmpty();
    assertThat(store.findIdempotent(account.id(), "fresh", Instant.MIN)).contains(fresh);
  }

  @Test
  void refusesAWindowThatIsNotPositiveOrLongerThanTenYears() {
    ServerOptions options = ServerOptions.defaults(0);
    assertThat(options.idempotencyWindow()).isEqualTo(Duration.ofHours(24));
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1),
        Duration.ofDays(3651), Duration.ofSeconds(Long.MAX_VALUE)}) {
      assertThatThrownBy(() -> options.withIdempotencyWindow(bad)).as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotencyWindow");
    }
    assertThat(options.withIdempotencyWindow(Duration.ofNanos(1)).idempotencyWindow())
        .isEqualTo(Duration.ofNanos(1));
  }

  private static String created(Api.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  private static String repeated(Api.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().path("id").asText();
  }
}
