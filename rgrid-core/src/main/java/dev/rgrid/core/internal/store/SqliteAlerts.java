package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.StoredWebhook;
import dev.rgrid.store.sql.AlertSql;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Webhooks and the alert outbox on the embedded database (rows of {@code webhooks} and {@code
 * alert_outbox}); every write is one statement in an IMMEDIATE transaction, so an offer or a
 * claim is atomic across the processes sharing the file.
 */
final class SqliteAlerts implements AlertStore {
  private final SqliteView view;

  SqliteAlerts(SqliteView view) {
    this.view = view;
  }

  @Override
  public void putWebhook(StoredWebhook webhook) {
    view.db().write("storing a webhook", c -> {
      AlertSql.putWebhook(c, webhook);
      return null;
    });
  }

  @Override
  public Optional<StoredWebhook> findWebhook(String scope) {
    return view.db().read("reading a webhook", c -> AlertSql.findWebhook(c, scope));
  }

  @Override
  public List<StoredWebhook> webhooks() {
    return view.db().read("listing webhooks", AlertSql::webhooks);
  }

  @Override
  public boolean replaceWebhook(StoredWebhook current, StoredWebhook replacement) {
    return view.db().write("replacing a webhook",
        c -> AlertSql.replaceWebhook(c, current, replacement));
  }

  @Override
  public boolean removeWebhook(String scope) {
    return view.db().write("removing a webhook", c -> AlertSql.removeWebhook(c, scope));
  }

  @Override
  public boolean offerAlert(OutboxAlert alert) {
    return view.db().write("offering an alert", c -> AlertSql.offerAlert(c, alert));
  }

  @Override
  public Optional<OutboxAlert> findAlert(String id) {
    return view.db().read("reading an alert", c -> AlertSql.findAlert(c, id));
  }

  @Override
  public List<OutboxAlert> dueAlerts(Instant now, int limit) {
    return view.db().read("listing due alerts", c -> AlertSql.dueAlerts(c, now, limit));
  }

  @Override
  public boolean claimAlert(OutboxAlert due, Instant leaseUntil) {
    return view.db().write("taking an alert", c -> AlertSql.claimAlert(c, due, leaseUntil));
  }

  @Override
  public boolean settleAlert(String id, int attempt, OutboxAlert.Status status,
      Instant nextAttemptAt, String error) {
    return view.db().write("recording an alert's delivery",
        c -> AlertSql.settleAlert(c, id, attempt, status, nextAttemptAt, error));
  }
}
