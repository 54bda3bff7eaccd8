package dev.rgrid.core.internal.store;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.Fixtures;
import dev.rgrid.store.sql.NanoInstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databases written by an earlier RGrid open with their data intact and the new schema. */
class SqliteSchemaMigrationTest {
  /**
   * Exactly what schema 1 (before the result cache) wrote for {@code Fixtures.spec(Map.of("team",
   * "data"), "batch_1")}: no requirements, requirementsSource, scriptFiles or cache.
   */
  private static final String V1_SPEC = """
      {"scriptName":"job.py",\
      "script":{"sha256":"0000000000000000000000000000000000000000000000000000000000000001"},\
      "runtime":"python3.11","args":["/work/a b.csv","--x=1","ü"],"env":{"K":"v"},\
      "inputs":[{"path":"a b.csv",\
      "blob":{"sha256":"0000000000000000000000000000000000000000000000000000000000000002"},\
      "size":12}],"timeout":"PT5M","labels":{"team":"data"},"batchId":"batch_1",\
      "resources":{"milliCpus":1500,"memoryBytes":536870912},"network":false}""";

  private static final String CACHE_KEY = "ab".repeat(32);

  @TempDir
  Path dir;

  @Test
  void upgradesAVersion1DatabaseAndReadsItsExecutionsWithoutACacheKey() throws Exception {
    Path file = dir.resolve("rgrid.db");
    ExecutionId id = Fixtures.id(T0);
    createVersion1(file, id);

    try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore()) {
      ExecutionRecord expected = ExecutionRecord.queued(id,
          Fixtures.spec(Map.of("team", "data"), "batch_1"), T0);
      ExecutionRecord found = s.get(id);
      assertThat(found).isEqualTo(expected);
      assertThat(found.cacheKey()).isNull();
      assertThat(found.spec().cache()).isTrue();
      assertThat(s.list(new ExecutionQuery(Set.of(), Map.of("team", "data"), "batch_1", null, 10))
          .items()).containsExactly(expected);

      // The new column and table take writes right away.
      ExecutionRecord keyed = s.update(id, Set.of(ExecutionStatus.QUEUED),
          x -> x.toBuilder().cacheKey(CACHE_KEY).build());
      assertThat(s.get(id)).isEqualTo(keyed);
      s.putCacheEntry(new CacheEntry(CACHE_KEY, id, "python3.11", "job.py", 5, T0, T0, 0));
      assertThat(s.useCacheEntry(CACHE_KEY, T0.plusSeconds(1)))
          .hasValueSatisfying(e -> assertThat(e.hits()).isEqualTo(1));
      AccountStore accounts = db.accounts();
      Account account = new Account(AccountId.generate(T0, new Random(1)), "team-data", T0);
      accounts.createAccount(account);
      assertThat(accounts.rememberIdempotent(account.id(), "req", id, T0, T0)).isEqualTo(id);
    }
    assertThat(userVersion(file)).isEqualTo(15).isEqualTo(Schema.latestVersion());
    assertThat(schemaObjects(file)).contains("index executions_cache_key", "table cache_entries",
        "index cache_entries_last_used", "table batches", "index queue_group", "table accounts",
        "table api_keys", "table account_blobs", "table idempotency_keys",
        "index idempotency_keys_created", "table webhooks", "table alert_outbox",
        "table account_retention", "table execution_parents", "index execution_parents_parent",
        "index executions_script", "index executions_started");

    // Reopening an upgraded file changes nothing and keeps what was written after the upgrade.
    try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore()) {
      assertThat(s.get(id).cacheKey()).isEqualTo(CACHE_KEY);
      assertThat(s.cacheEntries(10)).extracting(CacheEntry::key).containsExactly(CACHE_KEY);
      assertThat(db.accounts().findAccountByName("team-data")).isPresent();
    }
  }

  @Test
  void givesAFreshDatabaseTheSameSchemaAsAnUpgradedOne() throws Exception {
    Path upgraded = dir.resolve("old/rgrid.db");
    createVersion1(upgraded, Fixtures.id(T0));
    SqliteDatabase.open(upgraded).close();
    Path fresh = dir.resolve("new/rgrid.db");
    SqliteDatabase.open(fresh).close();
    assertThat(schemaObjects(fresh)).isEqualTo(schemaObjects(upgraded));
  }

  @Test
  void upgradesAVersion6DatabaseKeepingItsLimitAndAlertsAsTheGlobalScope() throws Exception {
    Path file = dir.resolve("v6/rgrid.db");
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      for (List<String> migration : Schema.MIGRATIONS.subList(0, 6)) {
        for (String sql : migration) {
          s.execute(sql);
        }
      }
      s.execute("PRAGMA user_version = 6");
      s.execute("INSERT INTO settings (key, value) VALUES ('spending.monthly-limit',"
          + " '50000000;50,80,100')");
      s.execute("INSERT INTO limit_alerts (month, threshold, raised_at) VALUES ('2026-11', 50, "
          + NanoInstants.toColumn(T0) + ")");
    }
    String alice = AccountId.generate(T0, new Random(5)).value();
    try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore()) {
      assertThat(s.spendingLimit()).contains(new LimitSetting(50_000_000, List.of(50, 80, 100)));
      assertThat(s.spendingLimit(alice)).isEmpty();
      assertThat(s.raiseLimitAlert("2026-11", 50, T0.plusSeconds(1)))
          .as("raised before the upgrade").isFalse();
      assertThat(s.raiseLimitAlert(alice, "2026-11", 50, T0.plusSeconds(1))).isTrue();
      s.setSpendingLimit(null);
      assertThat(s.spendingLimit()).isEmpty();
    }
    assertThat(userVersion(file)).isEqualTo(Schema.latestVersion());
    assertThat(schemaObjects(file)).contains("table spending_limits", "table limit_alerts")
        .doesNotContain("table limit_alerts_by_scope");
  }

  @Test
  void upgradesAVersion7DatabaseWhoseIdempotencyKeysThenExpireAndPrune() throws Exception {
    Path file = dir.resolve("v7/rgrid.db");
    Files.createDirectories(file.getParent());
    AccountId alice = AccountId.generate(T0, new Random(7));
    ExecutionId old = Fixtures.id(T0);
    ExecutionId recent = Fixtures.id(T0);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      for (List<String> migration : Schema.MIGRATIONS.subList(0, 7)) {
        for (String sql : migration) {
          s.execute(sql);
        }
      }
      s.execute("PRAGMA user_version = 7");
      // As version 7 wrote them: nothing expired, nothing indexed by time.
      String insert = "INSERT INTO idempotency_keys (account_id, key, execution_id, created_at)"
          + " VALUES ('%s', '%s', '%s', %d)";
      s.execute(insert.formatted(alice.value(), "old", old.value(), NanoInstants.toColumn(T0)));
      s.execute(insert.formatted(alice.value(), "recent", recent.value(),
          NanoInstants.toColumn(T0.plusSeconds(3_600))));
    }
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      AccountStore accounts = db.accounts();
      assertThat(accounts.findIdempotent(alice, "old", T0)).contains(old);
      assertThat(accounts.findIdempotent(alice, "old", T0.plusSeconds(1))).isEmpty();
      assertThat(accounts.pruneIdempotency(T0.plusSeconds(1))).isEqualTo(1);
      assertThat(accounts.findIdempotent(alice, "recent", T0)).contains(recent);
    }
    assertThat(userVersion(file)).isEqualTo(15);
    assertThat(schemaObjects(file)).contains("index idempotency_keys_created", "table webhooks",
        "table alert_outbox", "table account_retention", "table execution_parents",
        "index execution_parents_parent");
  }

  /** A database as RGrid 0.1 (schema 1) left it, holding one queued execution with a label. */
  private static void createVersion1(Path file, ExecutionId id)
      throws SQLException, IOException {
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      for (String sql : Schema.MIGRATIONS.get(0)) {
        s.execute(sql);
      }
      s.execute("PRAGMA user_version = 1");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO executions (id, status,"
          + " created_at, batch_id, spec, transitions, attempt, worker_id, exit_code, failure,"
          + " started_at, finished_at, cancel_requested, log_truncated, stdout, stderr, cached,"
          + " cached_from, cost_micros) VALUES (?, 'QUEUED', ?, 'batch_1', ?, ?, 1, NULL, NULL,"
          + " NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL, 0)")) {
        ps.setString(1, id.value());
        ps.setLong(2, NanoInstants.toColumn(T0));
        ps.setString(3, V1_SPEC);
        ps.setString(4, "[{\"status\":\"QUEUED\",\"at\":\"2026-11-25T10:00:00Z\",\"attempt\":1}]");
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO execution_labels (execution_id, key, value) VALUES (?, 'team', 'data')")) {
        ps.setString(1, id.value());
        ps.executeUpdate();
      }
    }
  }

  private static int userVersion(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Every table and index as "type name", then the SQL that defines them, to compare schemas. */
  private static List<String> schemaObjects(Path file) throws SQLException {
    List<String> names = new ArrayList<>();
    List<String> definitions = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT type, name, sql FROM sqlite_master"
            + " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")) {
      while (rs.next()) {
        names.add(rs.getString(1) + " " + rs.getString(2));
        definitions.add(rs.getString(3));
      }
    }
    names.addAll(definitions);
    return names;
  }
}
