package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.StoredWebhook;
import dev.rgrid.store.sql.AlertSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Webhooks and the alert outbox on PostgreSQL (rows of {@code webhooks} and {@code
 * alert_outbox}): each call one statement, so an offer ({@code ON CONFLICT DO NOTHING}) and a
 * claim (a conditional update) are atomic across every server and worker.
 */
final class PgAlerts implements AlertStore {
  private final Jdbi jdbi;
  private final PgErrors errors;

  PgAlerts(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public void putWebhook(StoredWebhook webhook) {
    call("storing a webhook", c -> {
      AlertSql.putWebhook(c, webhook);
      return null;
    });
  }

  @Override
  public Optional<StoredWebhook> findWebhook(String scope) {
    return call("reading a webhook", c -> AlertSql.findWebhook(c, scope));
  }

  @Override
  public List<StoredWebhook> webhooks() {
    return call("listing webhooks", AlertSql::webhooks);
  }

  @Override
  public boolean replaceWebhook(StoredWebhook current, StoredWebhook replacement) {
    return call("replacing a webhook", c -> AlertSql.replaceWebhook(c, current, replacement));
  }

  @Override
  public boolean removeWebhook(String scope) {
    return call("removing a webhook", c -> AlertSql.removeWebhook(c, scope));
  }

  @Override
  public boolean offerAlert(OutboxAlert alert) {
    return call("offering an alert", c -> AlertSql.offerAlert(c, alert));
  }

  @Override
  public Optional<OutboxAlert> findAlert(String id) {
    return call("reading an alert", c -> AlertSql.findAlert(c, id));
  }

  @Override
  public List<OutboxAlert> dueAlerts(Instant now, int limit) {
    return call("listing due alerts", c -> AlertSql.dueAlerts(c, now, limit));
  }

  @Override
  public boolean claimAlert(OutboxAlert due, Instant leaseUntil) {
    return call("taking an alert", c -> AlertSql.claimAlert(c, due, leaseUntil));
  }

  @Override
  public boolean settleAlert(String id, int attempt, OutboxAlert.Status status,
      Instant nextAttemptAt, String error) {
    return call("recording an alert's delivery",
        c -> AlertSql.settleAlert(c, id, attempt, status, nextAttemptAt, error));
  }

  private <T> T call(String action, JdbcWork<T> work) {
    return errors.call(action, () -> jdbi.withHandle(h -> jdbc(h, work)));
  }

  /** Driver errors travel as Jdbi's, so that {@link PgErrors} translates them as all others. */
  private static <T> T jdbc(Handle h, JdbcWork<T> work) {
    try {
      return work.run(h.getConnection());
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  @FunctionalInterface
  private interface JdbcWork<T> {
    T run(Connection c) throws SQLException;
  }
}
