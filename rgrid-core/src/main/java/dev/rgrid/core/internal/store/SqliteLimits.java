package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.SpendingStore;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Spending per scope ({@link LimitSetting#GLOBAL} or an account id): the sum of costs by finish
 * time, the monthly limits (rows of {@code spending_limits}) and the alerts raised (rows of
 * {@code limit_alerts}, inserted once).
 */
final class SqliteLimits implements SpendingStore {
  private final SqliteView view;

  SqliteLimits(SqliteView view) {
    this.view = view;
  }

  @Override
  public long spentMicros(String scope, Instant since, Instant until) {
    LimitSetting.checkScope(scope);
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    // An account's executions are those carrying its label; the label's primary key
    // (execution_id, key) makes the join one lookup per execution finished in the range.
    String sql = scope.isEmpty()
        ? "SELECT coalesce(sum(cost_micros), 0) FROM executions WHERE finished_at IS NOT NULL"
            + " AND finished_at >= ? AND finished_at < ?"
        : "SELECT coalesce(sum(e.cost_micros), 0) FROM executions e JOIN execution_labels l"
            + " ON l.execution_id = e.id AND l.key = ? AND l.value = ?"
            + " WHERE e.finished_at IS NOT NULL AND e.finished_at >= ? AND e.finished_at < ?";
    return view.db().read("adding up costs", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        if (!scope.isEmpty()) {
          ps.setString(i++, AccountId.LABEL);
          ps.setString(i++, scope);
        }
        ps.setLong(i++, NanoInstants.toColumn(since));
        ps.setLong(i, NanoInstants.toColumn(until));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  @Override
  public Optional<LimitSetting> spendingLimit(String scope) {
    LimitSetting.checkScope(scope);
    return view.db().read("reading the spending limit", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT limit_micros, thresholds FROM spending_limits WHERE scope = ?")) {
        ps.setString(1, scope);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new LimitSetting(rs.getLong(1),
              StoreChecks.thresholds(rs.getString(2)))) : Optional.empty();
        }
      }
    });
  }

  @Override
  public void setSpendingLimit(String scope, LimitSetting limit) {
    LimitSetting.checkScope(scope);
    view.db().write("setting the spending limit", c -> {
      if (limit == null) {
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM spending_limits WHERE scope = ?")) {
          ps.setString(1, scope);
          ps.executeUpdate();
        }
        return null;
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO spending_limits"
          + " (scope, limit_micros, thresholds) VALUES (?, ?, ?)")) {
        ps.setString(1, scope);
        ps.setLong(2, limit.limitMicros());
        ps.setString(3, StoreChecks.thresholdsText(limit));
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean raiseLimitAlert(String scope, String month, int threshold, Instant at) {
    LimitSetting.checkScope(scope);
    StoreChecks.requireAlert(month, threshold);
    Objects.requireNonNull(at, "at");
    return view.db().write("recording a spending alert", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO limit_alerts"
          + " (scope, month, threshold, raised_at) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, scope);
        ps.setString(2, month);
        ps.setInt(3, threshold);
        ps.setLong(4, NanoInstants.toColumn(at));
        return ps.executeUpdate() > 0;
      }
    });
  }
}
