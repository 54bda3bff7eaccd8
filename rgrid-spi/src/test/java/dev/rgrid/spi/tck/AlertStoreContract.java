package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.OutboxAlert.Status;
import dev.rgrid.spi.store.StoredWebhook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AlertStore} passes: one webhook per scope, kept byte for byte and
 * replaced only while unchanged; an alert offered many times kept once; due alerts in order; a
 * claim taken by one caller only; a settlement only by the attempt that holds the alert. Extend
 * it and return a fresh, empty store (see {@link MetadataStoreFixture}).
 */
public abstract class AlertStoreContract extends MetadataStoreFixture {
  private static final String ACCOUNT = "acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC";
  private static final String OTHER = "acct_01JD5Z8Q6W3M0T7R2YB4K9N1XD";

  private static StoredWebhook webhook(String scope, String url, int nonce) {
    byte[] n = new byte[12];
    n[0] = (byte) nonce;
    byte[] ciphertext = {(byte) 0xff, 0, (byte) nonce, 7};
    return new StoredWebhook(scope, url, "a1", n, ciphertext, T0.plusSeconds(nonce));
  }

  private static OutboxAlert alert(String id, Instant at) {
    return OutboxAlert.pending(id, ACCOUNT, "batch.failed", "{\"id\":\"" + id + "\"}", at);
  }

  @Test
  void keepsOneWebhookPerScopeExactlyAndReplacesItWhole() {
    StoredWebhook first = webhook(ACCOUNT, "https://hooks.example/a", 1);
    store.putWebhook(first);
    assertThat(store.findWebhook(ACCOUNT)).contains(first);
    StoredWebhook second = webhook(ACCOUNT, "http://127.0.0.1:9/b?x=1", 2);
    store.putWebhook(second);
    store.putWebhook(webhook("", "https://hooks.example/global", 3));
    assertThat(store.findWebhook(ACCOUNT)).contains(second);
    assertThat(store.findWebhook(OTHER)).isEmpty();
    assertThat(store.webhooks()).extracting(StoredWebhook::scope).containsExactly("", ACCOUNT);
    assertThat(store.removeWebhook(OTHER)).isFalse();
    assertThat(store.removeWebhook(ACCOUNT)).isTrue();
    assertThat(store.removeWebhook(ACCOUNT)).isFalse();
    assertThat(store.webhooks()).extracting(StoredWebhook::scope).containsExactly("");
  }

  @Test
  void replacesAWebhookOnlyWhileNobodySetItMeanwhile() {
    StoredWebhook old = webhook(ACCOUNT, "https://a.example/", 1);
    store.putWebhook(old);
    StoredWebhook rotated = webhook(ACCOUNT, "https://a.example/", 2);
    assertThat(store.replaceWebhook(old, rotated)).isTrue();
    assertThat(store.replaceWebhook(old, webhook(ACCOUNT, "https://a.example/", 3))).isFalse();
    assertThat(store.findWebhook(ACCOUNT)).contains(rotated);
    assertThatThrownBy(() -> store.replaceWebhook(rotated, webhook(OTHER, "https://b/", 4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.findWebhook("not a scope"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keepsAnAlertOfferedManyTimesOnceEvenWhenOfferedAtOnce() throws Exception {
    int callers = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger added = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      all.add(CompletableFuture.runAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (store.offerAlert(alert("batch-failed:b1", T0))) {
          added.incrementAndGet();
        }
      }));
    }
    start.countDown();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    assertThat(added).hasValue(1);
    assertThat(store.findAlert("batch-failed:b1")).hasValueSatisfying(a -> {
      assertThat(a.status()).isEqualTo(Status.PENDING);
      assertThat(a.attempts()).isZero();
      assertThat(a.body()).isEqualTo("{\"id\":\"batch-failed:b1\"}");
      assertThat(a.createdAt()).isEqualTo(T0);
    });
    assertThat(store.findAlert("nothing")).isEmpty();
  }

  @Test
  void listsDueAlertsOldestFirstAndOnlyPendingOnes() {
    store.offerAlert(alert("c", T0.plusSeconds(2)));
    store.offerAlert(alert("a", T0));
    store.offerAlert(alert("later", T0.plusSeconds(60)));
    store.offerAlert(alert("b", T0.plusSeconds(1)));
    assertThat(store.dueAlerts(T0.plusSeconds(2), 10)).extracting(OutboxAlert::id)
        .containsExactly("a", "b", "c");
    assertThat(store.dueAlerts(T0.plusSeconds(2), 2)).extracting(OutboxAlert::id)
        .containsExactly("a", "b");
    OutboxAlert a = store.findAlert("a").orElseThrow();
    assertThat(store.claimAlert(a, T0.plusSeconds(30))).isTrue();
    assertThat(store.settleAlert("a", 1, Status.DELIVERED, T0.plusSeconds(3), null)).isTrue();
    assertThat(store.dueAlerts(T0.plusSeconds(100), 10)).extracting(OutboxAlert::id)
        .containsExactly("b", "c", "later");
    assertThatThrownBy(() -> store.dueAlerts(T0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.dueAlerts(T0, AlertStore.MAX_PAGE + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givesAnAlertToOneClaimerAndTakesItsEndOnlyFromTheAttemptHoldingIt() {
    store.offerAlert(alert("x", T0));
    OutboxAlert due = store.dueAlerts(T0, 10).get(0);
    assertThat(store.claimAlert(due, T0.plusSeconds(10))).isTrue();
    assertThat(store.claimAlert(due, T0.plusSeconds(10))).as("taken already").isFalse();
    assertThat(store.dueAlerts(T0.plusSeconds(5), 10)).as("leased").isEmpty();
    // The lease lapses: another deliverer takes attempt 2; the first one's result is ignored.
    OutboxAlert again = store.dueAlerts(T0.plusSeconds(10), 10).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(store.claimAlert(again, T0.plusSeconds(20))).isTrue();
    assertThat(store.settleAlert("x", 1, Status.DELIVERED, T0.plusSeconds(11), null)).isFalse();
    String longError = "e".repeat(OutboxAlert.MAX_ERROR_LENGTH + 50);
    assertThat(store.settleAlert("x", 2, Status.PENDING, T0.plusSeconds(40), longError))
        .isTrue();
    OutboxAlert retried = store.findAlert("x").orElseThrow();
    assertThat(retried.status()).isEqualTo(Status.PENDING);
    assertThat(retried.attempts()).isEqualTo(2);
    assertThat(retried.nextAttemptAt()).isEqualTo(T0.plusSeconds(40));
    assertThat(retried.lastError()).hasSize(OutboxAlert.MAX_ERROR_LENGTH);
    assertThat(store.claimAlert(retried, T0.plusSeconds(50))).isTrue();
    assertThat(store.settleAlert("x", 3, Status.FAILED, T0.plusSeconds(41), "gave up")).isTrue();
    assertThat(store.findAlert("x").orElseThrow().status()).isEqualTo(Status.FAILED);
    assertThat(store.dueAlerts(T0.plusSeconds(1000), 10)).isEmpty();
    assertThat(store.settleAlert("x", 3, Status.PENDING, T0, null)).as("ended").isFalse();
  }
}
