package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL unreachable or misconfigured when RGrid starts: one clear error naming the database
 * URL (never the password), saying which of the three it is (no server, wrong credentials, no
 * such database) and what to fix, both from {@link PostgresBackend#open} and from {@code
 * RGrid.builder().sharedState(…)}; nothing opened or created instead. The other outages (a pool
 * closed under the store, an unreachable database for the queue, a restart mid-batch) are covered
 * by PgStoreBehaviourTest, PgQueueBehaviourTest and PgRestartTest.
 */
class PgOutageTest {
  private static final String USER = "rgrid_app";
  private static final String PASSWORD = "right-pw-5c7e0b";
  private static final String WRONG_PASSWORD = "wrong-pw-91d3aa";
  private static final String DATABASE = "rgrid_outage";

  @TempDir static Path data;
  private static EmbeddedPostgres server;

  @TempDir Path home;

  /**
   * A server of our own, because the shared one trusts every local connection: here {@value
   * #USER} must give its password, while the superuser keeps the trust the embedded server's own
   * start-up checks rely on.
   */
  @BeforeAll
  static void startServerWithPasswords() throws Exception {
    server = EmbeddedPostgres.builder().setDataDirectory(data.resolve("pgdata"))
        .setDataDirectoryCustomizer(requirePasswordOf(USER)).start();
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    }
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  @Test
  void rightSettingsOpen() {
    // The baseline for the failures below: the same server, user and database do work.
    try (PostgresBackend backend = PostgresBackend.open(PostgresSettings.of(url(DATABASE), USER,
        PASSWORD))) {
      assertThat(backend.queue().depth()).isZero();
    }
  }

  @Test
  void aWrongPasswordIsReportedAsRefusedCredentialsNotAsAnOutage() {
    PostgresSettings settings = PostgresSettings.of(url(DATABASE), USER, WRONG_PASSWORD);

    assertThatThrownBy(() -> PostgresBackend.open(settings))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertClearCredentialsError(e, url(DATABASE));
        });
    assertThatThrownBy(() -> RGrid.builder().home(home).engine("process")
        .sharedState(url(DATABASE), USER, WRONG_PASSWORD).build())
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertClearCredentialsError(e, url(DATABASE));
        });
    assertNothingEmbeddedWasOpenedInstead();
  }

  @Test
  void aPasswordInTheUrlIsNeverShown() {
    String withPassword = url(DATABASE) + "?user=" + USER + "&password=" + WRONG_PASSWORD;

    assertThatThrownBy(() -> RGrid.builder().home(home).engine("process")
        .sharedState(withPassword, null, null).build())
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains(url(DATABASE)).contains("credentials");
          assertThat(everythingShown(e)).doesNotContain(WRONG_PASSWORD);
        });
  }

  @Test
  void aMissingDatabaseIsReportedByNameWithHowToCreateIt() {
    PostgresSettings settings = PostgresSettings.of(url("no_such_db"), USER, PASSWORD);

    assertThatThrownBy(() -> PostgresBackend.open(settings))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains(url("no_such_db")).contains("\"no_such_db\"")
              .contains("does not exist").doesNotContain("cannot reach");
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("CREATE DATABASE")
              .contains("RGRID_DB_URL"));
          assertThat(everythingShown(e)).doesNotContain(PASSWORD);
        });
  }

  @Test
  void aPortWhereNoServerListensIsReportedAsUnreachable() throws IOException {
    String closed = "jdbc:postgresql://127.0.0.1:" + closedLoopbackPort() + "/" + DATABASE;

    for (ThrowingOpen open : new ThrowingOpen[] {
        () -> PostgresBackend.open(PostgresSettings.of(closed, USER, PASSWORD)).close(),
        () -> RGrid.builder().home(home).engine("process").sharedState(closed, USER, PASSWORD)
            .build().close()}) {
      assertThatThrownBy(open::run)
          .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
            assertThat(e.backend()).isEqualTo("postgres");
            assertOneClearLine(e);
            assertThat(e.getMessage()).contains("cannot reach").contains(closed);
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
                .contains("PostgreSQL runs").contains("RGRID_DB_URL"));
            assertThat(e.getCause()).isNotNull();
            assertThat(everythingShown(e)).doesNotContain(PASSWORD);
          });
    }
    assertNothingEmbeddedWasOpenedInstead();
  }

  @Test
  void aSchemaMigratedDifferentlyIsReportedAsAnUnfitSchemaNotAsAnOutage() {
    PostgresSettings settings = PgTests.freshDatabase();
    try (PostgresBackend first = PostgresBackend.open(settings)) {
      // As if another build of RGrid had applied a different first migration here.
      first.jdbi().useHandle(h -> h.execute("UPDATE rgrid_schema_history SET checksum = 1"
          + " WHERE version = '1'"));
    }

    assertThatThrownBy(() -> PostgresBackend.open(settings))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains("schema").contains("checksum mismatch")
              .contains(settings.jdbcUrl().replaceFirst("\\?.*", ""))
              .doesNotContain("cannot reach").hasSizeLessThan(500);
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
              .contains("only RGrid migrates"));
        });
  }

  private static void assertClearCredentialsError(BackendUnavailableException e, String url) {
    assertThat(e.backend()).isEqualTo("postgres");
    assertOneClearLine(e);
    assertThat(e.getMessage()).contains(url).contains("refused the credentials")
        .contains(USER).doesNotContain("cannot reach");
    // A configuration error: the hint is to fix the settings, not to wait and run again.
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("RGRID_DB_USER")
        .contains("RGRID_DB_PASSWORD").doesNotContainIgnoringCase("run again")
        .doesNotContainIgnoringCase("try again"));
    assertThat(everythingShown(e)).doesNotContain(WRONG_PASSWORD).doesNotContain(PASSWORD);
  }

  /** A shared database that cannot be opened must not silently become the embedded one. */
  private void assertNothingEmbeddedWasOpenedInstead() {
    assertThat(home.resolve("rgrid.db")).doesNotExist();
  }

  /** A message fit for the CLI's one-line error: present, single-line, with a hint. */
  private static void assertOneClearLine(RGridException e) {
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\tat ");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).isNotBlank()
        .doesNotContain("\n"));
  }

  /** The messages, hints and descriptions of an exception, its causes and suppressed ones. */
  private static String everythingShown(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      if (t instanceof RGridException r) {
        text.append(r.hint().orElse("")).append('\n');
      }
      for (Throwable s : t.getSuppressed()) {
        text.append(everythingShown(s));
      }
    }
    return text.toString();
  }

  private static String url(String database) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Puts password rules for {@code user} ahead of the trust rules initdb wrote. */
  private static Consumer<java.io.File> requirePasswordOf(String user) {
    return dir -> {
      Path hba = dir.toPath().resolve("pg_hba.conf");
      try {
        String rules = "local all " + user + " scram-sha-256\n"
            + "host all " + user + " 127.0.0.1/32 scram-sha-256\n"
            + "host all " + user + " ::1/128 scram-sha-256\n";
        Files.writeString(hba, rules + Files.readString(hba, StandardCharsets.UTF_8),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @FunctionalInterface
  private interface ThrowingOpen {
    void run() throws Exception;
  }
}
