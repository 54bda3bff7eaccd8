package dev.rgrid.store.sql;

import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.StoredWebhook;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL of {@link AlertStore}, the same on SQLite and PostgreSQL (both take {@code ON
 * CONFLICT}, keep instants as integer nanoseconds and bytes as {@code BLOB}/{@code BYTEA}). Tables
 * {@code webhooks} (one row per scope) and {@code alert_outbox} (one row per event id). Each call
 * is one statement, so it needs no transaction of its caller's; writes on SQLite still go through
 * its write transaction.
 */
public final class AlertSql {
  private static final String WEBHOOK = "scope, url, key_id, nonce, ciphertext, created_at";
  private static final String ALERT = "id, scope, type, body, created_at, status, attempts,"
      + " next_attempt_at, last_error";

  private AlertSql() {}

  /** See {@link AlertStore#putWebhook}. */
  public static void putWebhook(Connection c, StoredWebhook w) throws SQLException {
    Objects.requireNonNull(w, "webhook");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhooks (" + WEBHOOK + ")"
        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET url = excluded.url,"
        + " key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
        + " created_at = excluded.created_at")) {
      bindWebhook(ps, w);
      ps.executeUpdate();
    }
  }

  /** See {@link AlertStore#findWebhook}. */
  public static Optional<StoredWebhook> findWebhook(Connection c, String scope)
      throws SQLException {
    LimitSetting.checkScope(scope);
    List<StoredWebhook> found = webhooks(c, " WHERE scope = ?", scope);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** See {@link AlertStore#webhooks}. */
  public static List<StoredWebhook> webhooks(Connection c) throws SQLException {
    return webhooks(c, "", null);
  }

  /** See {@link AlertStore#replaceWebhook}. */
  public static boolean replaceWebhook(Connection c, StoredWebhook current,
      StoredWebhook replacement) throws SQLException {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(replacement, "replacement");
    AlertStore.checkReplacement(current, replacement);
    try (PreparedStatement ps = c.prepareStatement("UPDATE webhooks SET url = ?, key_id = ?,"
        + " nonce = ?, ciphertext = ?, created_at = ? WHERE scope = ? AND nonce = ?")) {
      ps.setString(1, replacement.url());
      ps.setString(2, replacement.keyId());
      ps.setBytes(3, replacement.nonce());
      ps.setBytes(4, replacement.ciphertext());
      ps.setLong(5, NanoInstants.toColumn(replacement.createdAt()));
      ps.setString(6, current.scope());
      ps.setBytes(7, current.nonce());
      return ps.executeUpdate() > 0;
    }
  }

  /** See {@link AlertStore#removeWebhook}. */
  public static boolean removeWebhook(Connection c, String scope) throws SQLException {
    LimitSetting.checkScope(scope);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhooks WHERE scope = ?")) {
      ps.setString(1, scope);
      return ps.executeUpdate() > 0;
    }
  }

  /** See {@link AlertStore#offerAlert}. */
  public static boolean offerAlert(Connection c, OutboxAlert a) throws SQLException {
    Objects.requireNonNull(a, "alert");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_outbox (" + ALERT + ")"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
      ps.setString(1, a.id());
      ps.setString(2, a.scope());
      ps.setString(3, a.type());
      ps.setString(4, a.body());
      ps.setLong(5, NanoInstants.toColumn(a.createdAt()));
      ps.setString(6, a.status().name());
      ps.setInt(7, a.attempts());
      ps.setLong(8, NanoInstants.toColumn(a.nextAttemptAt()));
      ps.setString(9, a.lastError());
      return ps.executeUpdate() > 0;
    }
  }

  /** See {@link AlertStore#findAlert}. */
  public static Optional<OutboxAlert> findAlert(Connection c, String id) throws SQLException {
    OutboxAlert.checkId(id);
    try (PreparedStatement ps = c.prepareStatement("SELECT " + ALERT
        + " FROM alert_outbox WHERE id = ?")) {
      ps.setString(1, id);
      List<OutboxAlert> out = alerts(ps);
      return out.isEmpty() ? Optional.empty() : Optional.of(out.get(0));
    }
  }

  /** See {@link AlertStore#dueAlerts}. */
  public static List<OutboxAlert> dueAlerts(Connection c, Instant now, int limit)
      throws SQLException {
    Objects.requireNonNull(now, "now");
    AlertStore.checkLimit(limit);
    try (PreparedStatement ps = c.prepareStatement("SELECT " + ALERT + " FROM alert_outbox"
        + " WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, id"
        + " LIMIT ?")) {
      ps.setLong(1, NanoInstants.toBound(now));
      ps.setInt(2, limit);
      return alerts(ps);
    }
  }

  /** See {@link AlertStore#claimAlert}. */
  public static boolean claimAlert(Connection c, OutboxAlert due, Instant leaseUntil)
      throws SQLException {
    Objects.requireNonNull(due, "due");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    try (PreparedStatement ps = c.prepareStatement("UPDATE alert_outbox SET attempts ="
        + " attempts + 1, next_attempt_at = ? WHERE id = ? AND status = 'PENDING'"
        + " AND attempts = ? AND next_attempt_at = ?")) {
      ps.setLong(1, NanoInstants.toColumn(leaseUntil));
      ps.setString(2, due.id());
      ps.setInt(3, due.attempts());
      ps.setLong(4, NanoInstants.toColumn(due.nextAttemptAt()));
      return ps.executeUpdate() > 0;
    }
  }

  /** See {@link AlertStore#settleAlert}. */
  public static boolean settleAlert(Connection c, String id, int attempt,
      OutboxAlert.Status status, Instant nextAttemptAt, String error) throws SQLException {
    OutboxAlert.checkId(id);
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    String cut = error != null && error.length() > OutboxAlert.MAX_ERROR_LENGTH
        ? error.substring(0, OutboxAlert.MAX_ERROR_LENGTH) : error;
    try (PreparedStatement ps = c.prepareStatement("UPDATE alert_outbox SET status = ?,"
        + " next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'PENDING'"
        + " AND attempts = ?")) {
      ps.setString(1, status.name());
      ps.setLong(2, NanoInstants.toColumn(nextAttemptAt));
      ps.setString(3, cut);
      ps.setString(4, id);
      ps.setInt(5, attempt);
      return ps.executeUpdate() > 0;
    }
  }

  private static List<StoredWebhook> webhooks(Connection c, String where, String scope)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + WEBHOOK + " FROM webhooks"
        + where + " ORDER BY scope")) {
      if (scope != null) {
        ps.setString(1, scope);
      }
      List<StoredWebhook> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredWebhook(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getBytes(4), rs.getBytes(5), NanoInstants.fromColumn(rs.getLong(6))));
        }
      }
      return out;
    }
  }

  private static void bindWebhook(PreparedStatement ps, StoredWebhook w) throws SQLException {
    ps.setString(1, w.scope());
    ps.setString(2, w.url());
    ps.setString(3, w.keyId());
    ps.setBytes(4, w.nonce());
    ps.setBytes(5, w.ciphertext());
    ps.setLong(6, NanoInstants.toColumn(w.createdAt()));
  }

  private static List<OutboxAlert> alerts(PreparedStatement ps) throws SQLException {
    List<OutboxAlert> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new OutboxAlert(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), NanoInstants.fromColumn(rs.getLong(5)),
            OutboxAlert.Status.valueOf(rs.getString(6)), rs.getInt(7),
            NanoInstants.fromColumn(rs.getLong(8)), rs.getString(9)));
      }
    }
    return out;
  }
}
