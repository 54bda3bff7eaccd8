package dev.rgrid.core.internal.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.internal.secret.MasterKeys;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.OutboxAlert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery from the outbox on a real store to a real receiver, the clock moved by hand. */
class WebhookDeliveryTest {
  private static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");
  private static final String SECRET = "whsec_test-secret-of-the-receiver";
  private static final AlertSettings SETTINGS = new AlertSettings(Duration.ofSeconds(1),
      Duration.ofSeconds(8), 5, Duration.ofSeconds(5), Duration.ofSeconds(60));

  @TempDir Path dir;
  private SqliteDatabase db;
  private MetadataStore store;
  private SecretVault vault;
  private Instant now = T0;
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @BeforeEach
  void open() {
    db = SqliteDatabase.open(dir.resolve("home/rgrid.db"));
    store = db.metadataStore();
    vault = new SecretVault(store, MasterKeys.of(List.of(), dir.resolve("home/secret.key"),
        new SecureRandom()), clock, new SecureRandom());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private void hook(String url) {
    store.putWebhook(vault.sealWebhook("", url, SECRET.getBytes(StandardCharsets.US_ASCII)));
  }

  private static OutboxAlert alert(String id) {
    return OutboxAlert.pending(id, "", AlertEvents.BATCH_FAILED, "{\"id\":\"" + id + "\"}", T0);
  }

  @Test
  void aReceiverThatFailsThreeTimesGetsTheAlertExactlyOnceWithBackoffBetween() throws Exception {
    try (AlertReceiver receiver = new AlertReceiver(500, 500, 503)) {
      hook(receiver.url());
      store.offerAlert(alert("batch-failed:b1"));
      WebhookDelivery delivery = new WebhookDelivery(store, vault, clock, SETTINGS);
      List<Duration> waits = new java.util.ArrayList<>();
      for (int i = 0; i < 10 && receiver.accepted().isEmpty(); i++) {
        assertThat(delivery.deliverDue()).isLessThanOrEqualTo(1);
        assertThat(delivery.deliverDue()).as("not due again before its backoff").isZero();
        OutboxAlert a = store.findAlert("batch-failed:b1").orElseThrow();
        if (a.status() == OutboxAlert.Status.PENDING) {
          waits.add(Duration.between(now, a.nextAttemptAt()));
          now = a.nextAttemptAt();
        }
      }
      assertThat(receiver.posts()).extracting(AlertReceiver.Post::answered)
          .containsExactly(500, 500, 503, 200);
      assertThat(waits).as("exponential backoff").containsExactly(Duration.ofSeconds(1),
          Duration.ofSeconds(2), Duration.ofSeconds(4));
      assertThat(receiver.accepted()).hasSize(1);
      OutboxAlert done = store.findAlert("batch-failed:b1").orElseThrow();
      assertThat(done.status()).isEqualTo(OutboxAlert.Status.DELIVERED);
      assertThat(done.attempts()).isEqualTo(4);
      now = now.plus(Duration.ofHours(1));
      assertThat(delivery.deliverDue()).isZero();
      assertThat(receiver.posts()).hasSize(4);
      // Every attempt carried the same event id and body, each signed for its own timestamp.
      for (AlertReceiver.Post p : receiver.posts()) {
        assertThat(p.eventId()).isEqualTo("batch-failed:b1");
        assertThat(p.signature()).isEqualTo(Signatures.sign(
            SECRET.getBytes(StandardCharsets.US_ASCII), Long.parseLong(p.timestamp()),
            p.body()));
      }
    }
  }

  @Test
  void givesUpAfterItsAttemptsWithinABoundedTime() throws Exception {
    try (AlertReceiver receiver = new AlertReceiver(500, 500, 500, 500, 500, 500, 500)) {
      hook(receiver.url());
      store.offerAlert(alert("spending:global:2026-11:80"));
      WebhookDelivery delivery = new WebhookDelivery(store, vault, clock, SETTINGS);
      for (int i = 0; i < 20; i++) {
        delivery.deliverDue();
        now = now.plusSeconds(1);
      }
      OutboxAlert a = store.findAlert("spending:global:2026-11:80").orElseThrow();
      assertThat(a.status()).isEqualTo(OutboxAlert.Status.FAILED);
      assertThat(a.attempts()).isEqualTo(SETTINGS.maxAttempts());
      assertThat(a.lastError()).contains("HTTP 500");
      assertThat(receiver.posts()).hasSize(SETTINGS.maxAttempts());
      // 1 + 2 + 4 + 8 seconds between the five attempts: given up 15 s after the first.
      assertThat(a.nextAttemptAt()).isBefore(T0.plusSeconds(20));
    }
  }

  @Test
  void anUnreachableReceiverAndARemovedWebhookAreRecordedNotThrown() throws Exception {
    hook("http://127.0.0.1:9/hook"); // discard port: nothing listens
    store.offerAlert(alert("batch-failed:b2"));
    WebhookDelivery delivery = new WebhookDelivery(store, vault, clock, SETTINGS);
    assertThat(delivery.deliverDue()).isZero();
    OutboxAlert a = store.findAlert("batch-failed:b2").orElseThrow();
    assertThat(a.status()).isEqualTo(OutboxAlert.Status.PENDING);
    assertThat(a.lastError()).contains("127.0.0.1:9");
    store.removeWebhook("");
    now = a.nextAttemptAt();
    delivery.deliverDue();
    assertThat(store.findAlert("batch-failed:b2").orElseThrow().status())
        .isEqualTo(OutboxAlert.Status.FAILED);
  }

  @Test
  void aKeyRotationReEncryptsTheSigningSecretSoDeliveriesStillVerify() throws Exception {
    try (AlertReceiver receiver = new AlertReceiver()) {
      hook(receiver.url());
      String before = store.findWebhook("").orElseThrow().keyId();
      vault.rotate();
      assertThat(store.findWebhook("").orElseThrow().keyId()).isNotEqualTo(before);
      store.offerAlert(alert("batch-failed:b3"));
      assertThat(new WebhookDelivery(store, vault, clock, SETTINGS).deliverDue()).isEqualTo(1);
      AlertReceiver.Post p = receiver.accepted().get(0);
      assertThat(p.signature()).isEqualTo(Signatures.sign(
          SECRET.getBytes(StandardCharsets.US_ASCII), Long.parseLong(p.timestamp()), p.body()));
    }
  }

  @Test
  void anAlertWhoseDelivererDiedIsPostedByAnotherOnceItsLeaseLapses() throws Exception {
    try (AlertReceiver receiver = new AlertReceiver()) {
      hook(receiver.url());
      store.offerAlert(alert("batch-failed:b4"));
      // A deliverer took it and died before posting: the row stays leased.
      OutboxAlert taken = store.dueAlerts(now, 10).get(0);
      assertThat(store.claimAlert(taken, now.plus(SETTINGS.lease()))).isTrue();
      WebhookDelivery other = new WebhookDelivery(store, vault, clock, SETTINGS);
      assertThat(other.deliverDue()).isZero();
      assertThat(receiver.posts()).isEmpty();
      now = now.plus(SETTINGS.lease());
      assertThat(other.deliverDue()).isEqualTo(1);
      assertThat(receiver.accepted()).singleElement().extracting(AlertReceiver.Post::eventId)
          .isEqualTo("batch-failed:b4");
      assertThat(store.findAlert("batch-failed:b4").orElseThrow().attempts()).isEqualTo(2);
    }
  }
}
