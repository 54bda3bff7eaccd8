package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets with the state in PostgreSQL: a run that prints, writes and fails with a secret leaves
 * its value in no table (a dump of every row, as text and as hex for byte columns), while the
 * worker, which reads it through the store it already uses, gives it to the script.
 */
class PgSecretsTest {
  private static final String VALUE = "pg-Secret-51fe0c";

  @TempDir Path home;
  @TempDir Path src;

  /** Every row of every table of the public schema, as PostgreSQL writes it as text. */
  private static List<String> dump(PostgresSettings settings) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(),
        settings.password()); Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables"
          + " WHERE schemaname = 'public'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("secrets", "executions", "log_lines");
      for (String table : tables) {
        // Table names come from the catalog, quoted: never user input.
        try (ResultSet rs = s.executeQuery("SELECT t::text FROM \"" + table + "\" t")) {
          while (rs.next()) {
            rows.add(table + ": " + rs.getString(1));
          }
        }
      }
    }
    return rows;
  }

  @Test
  void aSecretIsInNoTableAfterARunThatPrintedWroteAndFailedWithIt() throws Exception {
    Path script = Files.writeString(src.resolve("leak.py"), String.join("\n",
        "import os, sys",
        "v = os.environ['S']",
        "print('value ' + v)",
        "print(v, file=sys.stderr)",
        "open('out.txt', 'w').write(v)",
        "sys.exit('bad ' + v)",
        ""));
    PostgresSettings settings = PgTests.freshDatabase();
    try (PostgresBackend pg = PostgresBackend.open(settings);
        LocalRGrid rgrid = RGrid.builder().home(home).store(pg.metadataStore()).queue(pg.queue())
            .engine("process").workers(1).build()) {
      rgrid.secrets().set("DEPLOY_KEY", VALUE.getBytes(StandardCharsets.UTF_8));
      Execution e = rgrid.run(RunSpec.builder(script).secret("DEPLOY_KEY", "S").build());
      ExecutionRecord done = e.await(Duration.ofSeconds(120)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(rgrid.logs(e.id(), 0, 100)).extracting(LogLine::text)
          .contains("value ***", "***", "bad ***");
      List<String> rows = dump(settings);
      assertThat(rows).anyMatch(r -> r.startsWith("secrets: "))
          .anyMatch(r -> r.startsWith("log_lines: ") && r.contains("***"));
      String hex = HexFormat.of().formatHex(VALUE.getBytes(StandardCharsets.UTF_8));
      assertThat(rows).noneMatch(r -> r.contains(VALUE) || r.contains(hex));
    }
  }
}
