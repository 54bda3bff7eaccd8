package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.SpendingStore;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import dev.rgrid.store.sql.StoreJson;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Spending per scope ({@link LimitSetting#GLOBAL} or an account id): the sum of costs by finish
 * time, the monthly limits (rows of {@code spending_limits}) and the alerts raised (rows of
 * {@code limit_alerts}, inserted once across every process).
 */
final class PgLimits implements SpendingStore {
  private final Jdbi jdbi;
  private final PgErrors errors;

  PgLimits(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public long spentMicros(String scope, Instant since, Instant until) {
    LimitSetting.checkScope(scope);
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    // An account's executions are those whose labels contain its label: @> on the labels can
    // use their GIN index, as listing by label does.
    String sql = "SELECT coalesce(sum(cost_micros), 0) FROM executions"
        + " WHERE finished_at >= :since AND finished_at < :until"
        + (scope.isEmpty() ? "" : " AND labels @> CAST(:labels AS jsonb)");
    // sum() of BIGINT is NUMERIC in PostgreSQL: exact, and read back as a long while it fits.
    return errors.call("adding up costs", () -> jdbi.withHandle(h -> {
      var q = h.createQuery(sql)
          .bind("since", NanoInstants.toColumn(since))
          .bind("until", NanoInstants.toColumn(until));
      if (!scope.isEmpty()) {
        q.bind("labels", StoreJson.encodeLabels(Map.of(AccountId.LABEL, scope)));
      }
      return q.mapTo(Long.class).one();
    }));
  }

  @Override
  public Optional<LimitSetting> spendingLimit(String scope) {
    LimitSetting.checkScope(scope);
    Optional<Map<String, Object>> row = errors.call("reading the spending limit", () ->
        jdbi.withHandle(h -> h.createQuery("SELECT limit_micros, thresholds FROM spending_limits"
                + " WHERE scope = :scope")
            .bind("scope", scope)
            .mapToMap()
            .findOne()));
    return row.map(r -> decode(((Number) r.get("limit_micros")).longValue(),
        (String) r.get("thresholds")));
  }

  @Override
  public void setSpendingLimit(String scope, LimitSetting limit) {
    LimitSetting.checkScope(scope);
    errors.run("setting the spending limit", () -> jdbi.useHandle(h -> {
      if (limit == null) {
        h.createUpdate("DELETE FROM spending_limits WHERE scope = :scope")
            .bind("scope", scope).execute();
      } else {
        h.createUpdate("INSERT INTO spending_limits (scope, limit_micros, thresholds)"
                + " VALUES (:scope, :micros, :thresholds) ON CONFLICT (scope) DO UPDATE"
                + " SET limit_micros = EXCLUDED.limit_micros, thresholds = EXCLUDED.thresholds")
            .bind("scope", scope)
            .bind("micros", limit.limitMicros())
            .bind("thresholds", StoreChecks.thresholdsText(limit))
            .execute();
      }
    }));
  }

  @Override
  public boolean raiseLimitAlert(String scope, String month, int threshold, Instant at) {
    LimitSetting.checkScope(scope);
    StoreChecks.requireAlert(month, threshold);
    Objects.requireNonNull(at, "at");
    // The primary key decides: of processes raising the same alert at once, one inserts the row
    // and is told to send the alert; the others insert nothing.
    int inserted = errors.call("recording a spending alert", () -> jdbi.withHandle(h ->
        h.createUpdate("INSERT INTO limit_alerts (scope, month, threshold, raised_at)"
                + " VALUES (:scope, :month, :threshold, :at) ON CONFLICT DO NOTHING")
            .bind("scope", scope)
            .bind("month", month)
            .bind("threshold", threshold)
            .bind("at", NanoInstants.toColumn(at))
            .execute()));
    return inserted > 0;
  }

  private LimitSetting decode(long micros, String text) {
    try {
      return new LimitSetting(micros, StoreChecks.thresholds(text));
    } catch (IllegalArgumentException e) {
      // NumberFormatException is an IllegalArgumentException, as is a limit the record refuses.
      throw errors.unreadable("the spending limit " + micros + ";" + text, e);
    }
  }
}
