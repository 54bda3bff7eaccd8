package dev.rgrid.backend.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests (embedded binaries, started once per JVM), and a fresh,
 * empty database on it for each test. Public for the tests of the internal package.
 */
public final class PgTests {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres server;

  private PgTests() {}

  /** The server, started on first use and stopped when the JVM exits. */
  static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException e) {
          // The JVM is ending; the server's directory is temporary.
        }
      }));
    }
    return server;
  }

  /** Settings for a new, empty database on the server. */
  public static PostgresSettings freshDatabase() {
    String name = "rgrid_test_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name); // our own counter, never user input
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return PostgresSettings.of(server().getJdbcUrl("postgres", name), "postgres", "postgres");
  }

  /** A backend on a new, empty database. */
  static PostgresBackend freshBackend() {
    return PostgresBackend.open(freshDatabase());
  }
}
