package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Spending: the sum of costs by finish time, the monthly limit (one row of {@code settings}) and
 * the alerts raised (rows of {@code limit_alerts}, inserted once across every process).
 */
final class PgLimits {
  private static final String LIMIT_KEY = "spending.monthly-limit";
  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-(0[1-9]|1[0-2])");

  private final Jdbi jdbi;
  private final PgErrors errors;

  PgLimits(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  /** See {@link MetadataStore#spentMicros}. */
  long spent(Instant since, Instant until) {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    // sum() of BIGINT is NUMERIC in PostgreSQL: exact, and read back as a long while it fits.
    return errors.call("adding up costs", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT coalesce(sum(cost_micros), 0) FROM executions"
                + " WHERE finished_at >= :since AND finished_at < :until")
            .bind("since", PgInstants.toColumn(since))
            .bind("until", PgInstants.toColumn(until))
            .mapTo(Long.class)
            .one()));
  }

  /** See {@link MetadataStore#spendingLimit}. */
  Optional<LimitSetting> limit() {
    Optional<String> text = errors.call("reading the spending limit", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT value FROM settings WHERE key = :key")
            .bind("key", LIMIT_KEY)
            .mapTo(String.class)
            .findOne()));
    return text.map(this::decode);
  }

  /** See {@link MetadataStore#setSpendingLimit}. */
  void setLimit(LimitSetting limit) {
    errors.run("setting the spending limit", () -> jdbi.useHandle(h -> {
      if (limit == null) {
        h.createUpdate("DELETE FROM settings WHERE key = :key").bind("key", LIMIT_KEY).execute();
      } else {
        h.createUpdate("INSERT INTO settings (key, value) VALUES (:key, :value)"
                + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
            .bind("key", LIMIT_KEY)
            .bind("value", encode(limit))
            .execute();
      }
    }));
  }

  /** See {@link MetadataStore#raiseLimitAlert}. */
  boolean raise(String month, int threshold, Instant at) {
    if (month == null || !MONTH.matcher(month).matches()) {
      throw new IllegalArgumentException("not a month (YYYY-MM): '" + month + "'");
    }
    if (threshold < 1 || threshold > 100) {
      throw new IllegalArgumentException("a threshold is a percentage from 1 to 100, was "
          + threshold);
    }
    Objects.requireNonNull(at, "at");
    // The primary key decides: of processes raising the same alert at once, one inserts the row
    // and is told to send the alert; the others insert nothing.
    int inserted = errors.call("recording a spending alert", () -> jdbi.withHandle(h ->
        h.createUpdate("INSERT INTO limit_alerts (month, threshold, raised_at)"
                + " VALUES (:month, :threshold, :at) ON CONFLICT DO NOTHING")
            .bind("month", month)
            .bind("threshold", threshold)
            .bind("at", PgInstants.toColumn(at))
            .execute()));
    return inserted > 0;
  }

  /** {@code micros;t1,t2,...}: plain text, the same as in the embedded store. */
  private static String encode(LimitSetting limit) {
    StringBuilder sb = new StringBuilder().append(limit.limitMicros()).append(';');
    for (int i = 0; i < limit.thresholdsPercent().size(); i++) {
      sb.append(i == 0 ? "" : ",").append(limit.thresholdsPercent().get(i));
    }
    return sb.toString();
  }

  private LimitSetting decode(String text) {
    try {
      int semi = text.indexOf(';');
      long micros = Long.parseLong(text.substring(0, semi));
      List<Integer> thresholds = new ArrayList<>();
      for (String t : text.substring(semi + 1).split(",")) {
        if (!t.isBlank()) {
          thresholds.add(Integer.parseInt(t.trim()));
        }
      }
      return new LimitSetting(micros, thresholds);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      // NumberFormatException is an IllegalArgumentException, as is a limit the record refuses.
      throw errors.unreadable("the spending limit '" + text + "'", e);
    }
  }
}
