package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Databases written by an earlier RGrid open with their data intact and the new schema. */
class PgMigrationTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void keepsTheLimitAndAlertsOfAVersion2DatabaseAsTheGlobalScope() throws Exception {
    PostgresSettings settings = PgTests.freshDatabase();
    Flyway.configure().dataSource(settings.jdbcUrl(), settings.user(), settings.password())
        .locations(PostgresBackend.MIGRATIONS).table("rgrid_schema_history").target("2").load()
        .migrate();
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(),
        settings.password()); Statement s = c.createStatement()) {
      // As version 2 wrote them: the one limit as text in settings, alerts without a scope.
      s.execute("INSERT INTO settings (key, value) VALUES ('spending.monthly-limit',"
          + " '50000000;50,80,100')");
      s.execute("INSERT INTO limit_alerts (month, threshold, raised_at) VALUES ('2026-11', 50, 1)");
    }
    String alice = AccountId.generate(T0, new Random(3)).value();
    try (PostgresBackend backend = PostgresBackend.open(settings)) {
      MetadataStore store = backend.metadataStore();
      assertThat(store.spendingLimit())
          .contains(new LimitSetting(50_000_000, List.of(50, 80, 100)));
      assertThat(store.spendingLimit(alice)).isEmpty();
      assertThat(store.raiseLimitAlert("2026-11", 50, T0)).as("raised before the upgrade")
          .isFalse();
      assertThat(store.raiseLimitAlert(alice, "2026-11", 50, T0)).isTrue();
      assertThat(store.raiseLimitAlert("2026-11", 80, T0)).isTrue();
    }
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(),
        settings.password()); Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM settings")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the old setting is gone").isZero();
    }
  }
  @Test
  void indexesTheIdempotencyKeysOfAVersion3DatabaseByTimeAndLetsThemExpire() throws Exception {
    PostgresSettings settings = PgTests.freshDatabase();
    Flyway.configure().dataSource(settings.jdbcUrl(), settings.user(), settings.password())
        .locations(PostgresBackend.MIGRATIONS).table("rgrid_schema_history").target("3").load()
        .migrate();
    AccountId alice = AccountId.generate(T0, new Random(4));
    ExecutionId old = ExecutionId.generate(T0, new Random(5));
    ExecutionId recent = ExecutionId.generate(T0, new Random(6));
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(),
        settings.password()); PreparedStatement ps = c.prepareStatement("INSERT INTO"
            + " idempotency_keys (account_id, key, execution_id, created_at)"
            + " VALUES (?, ?, ?, ?)")) {
      // As version 3 wrote them: kept forever, nothing indexed by time.
      insert(ps, alice, "old", old, T0);
      insert(ps, alice, "recent", recent, T0.plusSeconds(3_600));
    }
    try (PostgresBackend backend = PostgresBackend.open(settings)) {
      AccountStore accounts = backend.accounts();
      assertThat(accounts.findIdempotent(alice, "old", T0)).contains(old);
      assertThat(accounts.findIdempotent(alice, "old", T0.plusSeconds(1))).isEmpty();
      assertThat(accounts.pruneIdempotency(T0.plusSeconds(1))).isEqualTo(1);
      assertThat(accounts.findIdempotent(alice, "recent", T0)).contains(recent);
    }
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(),
        settings.password()); Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT indexdef FROM pg_indexes"
            + " WHERE indexname = 'idempotency_keys_created'")) {
      assertThat(rs.next()).as("the index exists").isTrue();
      assertThat(rs.getString(1)).contains("(created_at)");
    }
  }

  private static void insert(PreparedStatement ps, AccountId account, String key,
      ExecutionId execution, Instant at) throws SQLException {
    ps.setString(1, account.value());
    ps.setString(2, key);
    ps.setString(3, execution.value());
    ps.setLong(4, at.getEpochSecond() * 1_000_000_000L + at.getNano());
    ps.executeUpdate();
  }
}
