package dev.rgrid.core.internal.alert;

import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.OutboxAlert.Status;
import dev.rgrid.spi.store.StoredWebhook;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the outbox's due alerts to their scope's webhook, from a thread of its own: each alert is
 * first taken under a lease ({@link AlertStore#claimAlert}), so of several servers and workers
 * looking at one store only one posts it; a 2xx answer settles it, anything else is retried with
 * exponential backoff until its attempts run out. Delivery is at least once: a deliverer that
 * dies after the receiver got an alert but before recording it leaves it to be posted again when
 * its lease lapses, which is why every post names its event ({@link Signatures#EVENT_HEADER}).
 * Redirects are not followed (a signed alert goes only where it was configured to go).
 */
public final class WebhookDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
  private static final int PAGE = 20;

  private final AlertStore store;
  private final SecretVault vault;
  private final Clock clock;
  private final AlertSettings settings;
  private final HttpClient http;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean wake;
  private boolean closed;
  private Thread thread;

  /** Delivers the alerts of {@code store}, decrypting signing secrets with {@code vault}. */
  public WebhookDelivery(AlertStore store, SecretVault vault, Clock clock,
      AlertSettings settings) {
    this.store = store;
    this.vault = vault;
    this.clock = clock;
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Starts the delivery thread (a daemon: it never holds a process open). Idempotent. */
  public void start() {
    lock.lock();
    try {
      if (thread != null || closed) {
        return;
      }
      thread = new Thread(this::loop, "rgrid-alerts");
      thread.setDaemon(true);
      thread.start();
    } finally {
      lock.unlock();
    }
  }

  /** Makes the thread look at the outbox now rather than at its next poll. */
  public void wake() {
    lock.lock();
    try {
      wake = true;
      woken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Posts every alert due now that no one else holds, each at most once in this call.
   *
   * @return how many were delivered
   */
  public int deliverDue() {
    int delivered = 0;
    List<OutboxAlert> due;
    Instant now = clock.instant();
    while (!(due = store.dueAlerts(now, PAGE)).isEmpty()) {
      int taken = 0;
      for (OutboxAlert alert : due) {
        if (store.claimAlert(alert, clock.instant().plus(settings.lease()))) {
          taken++;
          if (attempt(alert, alert.attempts() + 1)) {
            delivered++;
          }
        }
      }
      if (taken == 0 || due.size() < PAGE) {
        break; // the rest is held by others, or everything due was seen
      }
    }
    return delivered;
  }

  private boolean attempt(OutboxAlert alert, int attempt) {
    Optional<StoredWebhook> hook;
    String failure;
    try {
      hook = store.findWebhook(alert.scope());
      if (hook.isEmpty()) {
        store.settleAlert(alert.id(), attempt, Status.FAILED, clock.instant(),
            "the webhook was removed");
        return false;
      }
      failure = post(alert, hook.get());
    } catch (RuntimeException e) {
      failure = e.getMessage();
    }
    Instant now = clock.instant();
    if (failure == null) {
      store.settleAlert(alert.id(), attempt, Status.DELIVERED, now, null);
      LOG.info("alert {} delivered (attempt {})", alert.id(), attempt);
      return true;
    }
    if (attempt >= settings.maxAttempts()) {
      store.settleAlert(alert.id(), attempt, Status.FAILED, now, failure);
      LOG.warn("alert {} given up after {} attempts: {}", alert.id(), attempt, failure);
    } else {
      store.settleAlert(alert.id(), attempt, Status.PENDING,
          now.plus(settings.retryAfter(attempt)), failure);
      LOG.info("alert {} not delivered (attempt {}), retried later: {}", alert.id(), attempt,
          failure);
    }
    return false;
  }

  /** Posts the alert; null when the webhook answered 2xx, else why not. */
  private String post(OutboxAlert alert, StoredWebhook hook) {
    byte[] secret = vault.webhookSecret(hook);
    long timestamp = clock.instant().getEpochSecond();
    String signature;
    try {
      signature = Signatures.sign(secret, timestamp, alert.body());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url()))
        .timeout(settings.requestTimeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", "rgrid-alerts")
        .header(Signatures.EVENT_HEADER, alert.id())
        .header(Signatures.TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(Signatures.SIGNATURE_HEADER, signature)
        .POST(HttpRequest.BodyPublishers.ofString(alert.body(), StandardCharsets.UTF_8))
        .build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      return status / 100 == 2 ? null : hook.url() + " answered HTTP " + status;
    } catch (IOException e) {
      return "posting to " + hook.url() + " failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while posting to " + hook.url();
    }
  }

  private void loop() {
    while (true) {
      lock.lock();
      try {
        if (!wake && !closed) {
          woken.await(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        }
        if (closed) {
          return;
        }
        wake = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        deliverDue();
      } catch (RuntimeException e) {
        // The store may be away for a while; the alerts wait in the outbox meanwhile.
        LOG.warn("could not deliver alerts: {}", e.getMessage());
      }
    }
  }

  /** Stops the thread; alerts not delivered yet stay in the outbox for the next deliverer. */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      woken.signalAll();
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.interrupt(); // a post in flight ends; its alert is retried when its lease lapses
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
