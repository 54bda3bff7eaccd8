package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Alerts that reach people: each scope's webhook ({@link StoredWebhook}, its signing secret only
 * as ciphertext) and the outbox of alerts to deliver ({@link OutboxAlert}). The outbox is what
 * makes delivery safe: an event is kept once by its id however many processes offer it, survives
 * the process that offered it, and is taken by one deliverer at a time through a lease. Part of
 * {@link MetadataStore}. Every method may throw {@link BackendUnavailableException}, and {@link
 * IllegalArgumentException} for a scope that is neither {@link LimitSetting#GLOBAL} nor an account
 * id.
 */
public interface AlertStore {
  /** The most alerts a page may ask for. */
  int MAX_PAGE = 100;

  /** Stores {@code webhook}, replacing its scope's, if any. */
  void putWebhook(StoredWebhook webhook);

  /** The webhook of {@code scope}, if one is set. */
  Optional<StoredWebhook> findWebhook(String scope);

  /** Every webhook, by scope. */
  List<StoredWebhook> webhooks();

  /**
   * Replaces {@code current} by {@code replacement} (same scope) only while the stored webhook
   * still has {@code current}'s nonce, i.e. nobody set it meanwhile (for key rotation).
   *
   * @return whether it was replaced
   * @throws IllegalArgumentException when the two differ in scope
   */
  boolean replaceWebhook(StoredWebhook current, StoredWebhook replacement);

  /**
   * Removes the webhook of {@code scope}.
   *
   * @return {@code false} when there was none
   */
  boolean removeWebhook(String scope);

  /**
   * Puts {@code alert} in the outbox unless an alert with its id is there already (whatever its
   * status), atomically across processes.
   *
   * @return {@code true} only for the call that added it
   */
  boolean offerAlert(OutboxAlert alert);

  /** The alert with this id, whatever its status. */
  Optional<OutboxAlert> findAlert(String id);

  /**
   * Pending alerts due at {@code now} (next attempt at or before it), oldest first, at most
   * {@code limit}.
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to {@link #MAX_PAGE}
   */
  List<OutboxAlert> dueAlerts(Instant now, int limit);

  /**
   * Takes {@code due} for one delivery attempt: only while it is still pending with the same
   * attempts and next attempt time as read (nobody took it meanwhile), it counts one more attempt
   * and is not due again before {@code leaseUntil}, so a deliverer that dies lets another retry
   * it then.
   *
   * @return whether this caller took it
   */
  boolean claimAlert(OutboxAlert due, Instant leaseUntil);

  /**
   * Records how attempt {@code attempt} of alert {@code id} ended: {@code status} {@link
   * OutboxAlert.Status#PENDING} to retry at {@code nextAttemptAt}, else delivered or given up.
   * Only while the alert is pending at that attempt: a deliverer whose lease lapsed and was
   * taken over changes nothing.
   *
   * @return whether it was recorded
   */
  boolean settleAlert(String id, int attempt, OutboxAlert.Status status, Instant nextAttemptAt,
      String error);

  /** Checks a page size, for implementations. */
  static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("a page holds 1 to " + MAX_PAGE + " alerts, not "
          + limit);
    }
  }

  /**
   * Checks the arguments of {@link #replaceWebhook}, for implementations.
   *
   * @throws IllegalArgumentException when the two differ in scope
   */
  static void checkReplacement(StoredWebhook current, StoredWebhook replacement) {
    if (!current.scope().equals(replacement.scope())) {
      throw new IllegalArgumentException("a replacement must be of the same scope: '"
          + current.scope() + "' is not '" + replacement.scope() + "'");
    }
  }
}
