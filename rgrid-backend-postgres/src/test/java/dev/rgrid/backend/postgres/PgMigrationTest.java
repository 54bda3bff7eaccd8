package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import java.sql.Connection;
import java.sql.DriverManager;
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
}
