package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.LimitSetting;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Spending: the sum of costs by finish time, the monthly limit (one row of {@code settings}) and
 * the alerts raised (rows of {@code limit_alerts}, inserted once).
 */
final class SqliteLimits {
  private static final String LIMIT_KEY = "spending.monthly-limit";
  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-(0[1-9]|1[0-2])");

  private final SqliteView view;

  SqliteLimits(SqliteView view) {
    this.view = view;
  }

  long spent(Instant since, Instant until) {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    return view.db().read("adding up costs", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(cost_micros), 0)"
          + " FROM executions WHERE finished_at IS NOT NULL AND finished_at >= ?"
          + " AND finished_at < ?")) {
        ps.setLong(1, Instants.toColumn(since));
        ps.setLong(2, Instants.toColumn(until));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  Optional<LimitSetting> limit() {
    return view.db().read("reading the spending limit", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
        ps.setString(1, LIMIT_KEY);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(decode(rs.getString(1))) : Optional.empty();
        }
      }
    });
  }

  void setLimit(LimitSetting limit) {
    view.db().write("setting the spending limit", c -> {
      if (limit == null) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM settings WHERE key = ?")) {
          ps.setString(1, LIMIT_KEY);
          ps.executeUpdate();
        }
        return null;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")) {
        ps.setString(1, LIMIT_KEY);
        ps.setString(2, encode(limit));
        ps.executeUpdate();
      }
      return null;
    });
  }

  boolean raise(String month, int threshold, Instant at) {
    if (month == null || !MONTH.matcher(month).matches()) {
      throw new IllegalArgumentException("not a month (YYYY-MM): '" + month + "'");
    }
    if (threshold < 1 || threshold > 100) {
      throw new IllegalArgumentException("a threshold is a percentage from 1 to 100, was "
          + threshold);
    }
    Objects.requireNonNull(at, "at");
    return view.db().write("recording a spending alert", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO limit_alerts"
          + " (month, threshold, raised_at) VALUES (?, ?, ?)")) {
        ps.setString(1, month);
        ps.setInt(2, threshold);
        ps.setLong(3, Instants.toColumn(at));
        return ps.executeUpdate() > 0;
      }
    });
  }

  /** {@code micros;t1,t2,...}: plain text, readable with sqlite3. */
  private static String encode(LimitSetting limit) {
    StringBuilder sb = new StringBuilder().append(limit.limitMicros()).append(';');
    for (int i = 0; i < limit.thresholdsPercent().size(); i++) {
      sb.append(i == 0 ? "" : ",").append(limit.thresholdsPercent().get(i));
    }
    return sb.toString();
  }

  private static LimitSetting decode(String text) {
    int semi = text.indexOf(';');
    long micros = Long.parseLong(text.substring(0, semi));
    List<Integer> thresholds = new ArrayList<>();
    for (String t : text.substring(semi + 1).split(",")) {
      if (!t.isBlank()) {
        thresholds.add(Integer.parseInt(t.trim()));
      }
    }
    return new LimitSetting(micros, thresholds);
  }
}
