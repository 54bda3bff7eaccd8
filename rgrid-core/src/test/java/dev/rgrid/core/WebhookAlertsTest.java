package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.core.internal.alert.AlertReceiver;
import dev.rgrid.core.internal.alert.Signatures;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.Resources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts posted to webhooks by real engines on one store, received on loopback. */
class WebhookAlertsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long ONE_MICRO_PER_MS = 3_600_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path src;

  private static JsonNode body(AlertReceiver.Post p) throws Exception {
    return JSON.readTree(p.body());
  }

  private static void assertSigned(AlertReceiver.Post p, String secret) {
    assertThat(p.signature()).startsWith("sha256=").isEqualTo(Signatures.sign(
        secret.getBytes(StandardCharsets.US_ASCII), Long.parseLong(p.timestamp()), p.body()));
    assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(p.timestamp())))
        .isLessThan(3600);
  }

  @Test
  void aBatchThatEndsWithAFailedItemIsPostedOnceSignedWithTheSecretShownAtSet()
      throws Exception {
    Path script = Files.writeString(src.resolve("check.py"), String.join("\n",
        "import sys",
        "sys.exit(3 if 'bad' in open(sys.argv[-1]).read() else 0)", ""));
    Files.writeString(src.resolve("a.txt"), "good");
    Files.writeString(src.resolve("b.txt"), "bad");
    try (AlertReceiver receiver = new AlertReceiver();
        LocalRGrid rgrid = RGrid.builder().home(home).workers(2).build()) {
      NewWebhook hook = rgrid.operations().webhooks().set(Optional.empty(), receiver.url());
      assertThat(hook.secret()).startsWith("whsec_").hasSizeGreaterThan(40);
      assertThat(rgrid.operations().webhooks().list()).extracting(WebhookInfo::url)
          .containsExactly(receiver.url());
      assertThat(hook.toString()).doesNotContain(hook.secret());

      Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
          .build()).glob("*.txt").build());
      assertThat(batch.await(DEADLINE).orElseThrow().failed()).isEqualTo(1);
      List<AlertReceiver.Post> got = receiver.awaitAccepted(l -> !l.isEmpty(), DEADLINE);
      AlertReceiver.Post post = got.get(0);
      assertSigned(post, hook.secret());
      JsonNode json = body(post);
      assertThat(json.get("type").asText()).isEqualTo("batch.failed");
      assertThat(json.get("id").asText()).isEqualTo("batch-failed:" + batch.id().value())
          .isEqualTo(post.eventId());
      assertThat(json.get("account").isNull()).isTrue();
      assertThat(json.get("batchId").asText()).isEqualTo(batch.id().value());
      assertThat(json.get("items").asLong()).isEqualTo(2);
      assertThat(json.get("failed").asLong()).isEqualTo(1);
      assertThat(json.get("succeeded").asLong()).isEqualTo(1);
      assertThat(json.get("costMicros").isIntegralNumber()).isTrue();
      assertThat(Instant.parse(json.get("timestamp").asText())).isBefore(Instant.now()
          .plusSeconds(1));

      // A batch that ends well says nothing.
      Files.delete(src.resolve("b.txt"));
      Batch fine = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
          .build()).glob("*.txt").build());
      assertThat(fine.await(DEADLINE).orElseThrow().failed()).isZero();
      assertThat(rgrid.operations().webhooks().remove(Optional.empty())).isTrue();
      assertThat(rgrid.operations().webhooks().remove(Optional.empty())).isFalse();
    }
  }

  @Test
  void twoEnginesOnOneStoreCrossingTheSameThresholdsPostEachAlertOnce() throws Exception {
    Path first = Files.writeString(src.resolve("one.py"), "import time\ntime.sleep(0.2)\n");
    Path second = Files.writeString(src.resolve("two.py"), "import time\ntime.sleep(0.2)\n");
    String secret = "a-secret-the-receiver-was-given";
    try (AlertReceiver receiver = new AlertReceiver()) {
      try (LocalRGrid a = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS).workers(1)
              .build();
          LocalRGrid b = RGrid.builder().home(home).hourlyPrice(ONE_MICRO_PER_MS).workers(1)
              .build()) {
        a.operations().webhooks().set(Optional.empty(), receiver.url(), secret);
        a.setSpendingLimit(10_000L, List.of(1, 2));
        // Each engine's run finds both thresholds crossed (100 and 200 micros): each offers both
        // alerts.
        assertThat(a.run(RunSpec.builder(first).build()).await(DEADLINE).orElseThrow()
            .costMicros()).isGreaterThanOrEqualTo(200);
        assertThat(b.run(RunSpec.builder(second).build()).await(DEADLINE).orElseThrow()
            .costMicros()).isGreaterThanOrEqualTo(200);
        receiver.awaitAccepted(l -> l.size() >= 2, DEADLINE);
      } // closing both stops their deliverers: nothing can be posted after this
      assertThat(receiver.accepted()).extracting(AlertReceiver.Post::eventId)
          .containsExactlyInAnyOrder("spending:global:" + java.time.YearMonth.now(
              java.time.ZoneOffset.UTC) + ":1", "spending:global:" + java.time.YearMonth.now(
              java.time.ZoneOffset.UTC) + ":2");
      for (AlertReceiver.Post p : receiver.accepted()) {
        assertSigned(p, secret);
        JsonNode json = body(p);
        assertThat(json.get("type").asText()).isEqualTo("spending.threshold");
        assertThat(json.get("limitMicros").asLong()).isEqualTo(10_000);
        assertThat(json.get("spentMicros").isIntegralNumber()).isTrue();
        assertThat(json.get("spentMicros").asLong()).isGreaterThanOrEqualTo(200);
      }
    }
  }

  @Test
  void anAccountsAlertGoesToItsOwnWebhookAndNoOtherAccountsDoes() throws Exception {
    try (AlertReceiver alices = new AlertReceiver()) {
      try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process")
          .hourlyPrice(ONE_MICRO_PER_MS).build()) {
        AccountId alice = rgrid.accounts().create("alice").id();
        AccountId bob = rgrid.accounts().create("bob").id();
        rgrid.operations().webhooks().set(Optional.of(alice), alices.url(), "alices-receiver-secret");
        rgrid.account(alice).setSpendingLimit(1L, List.of(100));
        rgrid.account(bob).setSpendingLimit(1L, List.of(100));
        rgrid.setSpendingLimit(1_000_000_000L, List.of(1)); // the global one: no webhook
        for (AccountId who : List.of(bob, alice)) {
          BlobKey key = rgrid.blobStore().put(new ByteArrayInputStream(
              "import time\ntime.sleep(0.05)\n".getBytes(StandardCharsets.UTF_8))).key();
          rgrid.account(who).submit(new ExecutionSpec("job.py", key, "python3.11", List.of(),
              Map.of(), List.of(), Duration.ofMinutes(1), Map.of(), null, new Resources(0, 0),
              false)).await(DEADLINE).orElseThrow();
        }
        alices.awaitAccepted(l -> !l.isEmpty(), DEADLINE);
      }
      assertThat(alices.accepted()).singleElement().satisfies(p -> {
        JsonNode json = body(p);
        assertThat(json.get("account").asText()).isEqualTo(p.eventId().split(":")[1]);
        assertThat(json.get("thresholdPercent").asInt()).isEqualTo(100);
        assertThat(json.get("limitMicros").asLong()).isEqualTo(1);
        assertSigned(p, "alices-receiver-secret");
      });
    }
  }

  @Test
  void hostileUrlsAndSecretsAreRefusedSayingWhy() {
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      Webhooks hooks = rgrid.operations().webhooks();
      for (String url : List.of("file:///etc/passwd", "ftp://files.example/x", "http:///path",
          "https:", "javascript:alert(1)", "http://user:pw@hooks.example/",
          "http://hooks.example/a b", "http://hooks.example/\u0000", "",
          "https://hooks.example/" + "a".repeat(2000))) {
        assertThatThrownBy(() -> hooks.set(Optional.empty(), url), url)
            .isInstanceOf(InvalidRunSpecException.class)
            .hasMessageContaining("cannot post alerts to");
      }
      assertThatThrownBy(() -> hooks.set(Optional.empty(), "https://hooks.example/", "short"))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("signing secret");
      assertThatThrownBy(() -> hooks.set(Optional.empty(), "https://hooks.example/",
          "x".repeat(257))).isInstanceOf(InvalidRunSpecException.class);
      assertThat(hooks.list()).isEmpty();
      // Private and loopback hosts are allowed: receivers on the administrator's network.
      hooks.set(Optional.empty(), "http://10.0.0.7:8080/rgrid");
      assertThat(hooks.find(Optional.empty())).map(WebhookInfo::url)
          .contains("http://10.0.0.7:8080/rgrid");
    }
  }
}
