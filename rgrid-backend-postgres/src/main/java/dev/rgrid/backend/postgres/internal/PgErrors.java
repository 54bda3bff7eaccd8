package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.JdbiException;

/**
 * Turns driver and Jdbi errors into the exceptions the SPI names, so core reacts to PostgreSQL
 * exactly as it reacts to any other backend. Every message names the database and what was being
 * done; every unavailable error carries a one-line hint.
 */
public final class PgErrors {
  static final String BACKEND = "postgres";

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String NO_SUCH_DATABASE = "3D000"; // invalid_catalog_name
  private static final String REACH_HINT = "check that PostgreSQL runs there and that RGRID_DB_URL,"
      + " RGRID_DB_USER and RGRID_DB_PASSWORD are right, then run again";
  private static final String SCHEMA_HINT = "use a database that only RGrid migrates, at the"
      + " version of this RGrid; if it is one, report this message as an RGrid defect";
  private static final String DEFECT_HINT = "check the PostgreSQL server's log; if it is not a"
      + " server problem, report this message as an RGrid defect";

  private final String database;
  private final String user;

  /** Errors about the database of {@code settings}. */
  PgErrors(PostgresSettings settings) {
    this.database = shown(settings.jdbcUrl());
    // Null when the URL carries the user (?user=…); the driver's own message names it then.
    this.user = settings.user() == null ? "(from the URL)" : "'" + settings.user() + "'";
  }

  /**
   * Runs {@code work}, which is about {@code action} ("reading execution exec_…"), and rethrows a
   * driver or Jdbi error as the SPI's exception. Exceptions of our own (RGrid's, misuse) pass
   * through unchanged.
   */
  <T> T call(String action, Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      throw translate(e, action);
    }
  }

  /** {@link #call} for work without a result. */
  void run(String action, Runnable work) {
    call(action, () -> {
      work.run();
      return null;
    });
  }

  /**
   * The SPI exception for {@code e}, met while doing {@code action}: {@link ConflictException}
   * for a constraint violation, {@link BackendUnavailableException} for every other database
   * failure, and {@code e} itself when it is not a database failure.
   */
  RuntimeException translate(RuntimeException e, String action) {
    if (!(e instanceof JdbiException)) {
      return e; // ours (RGridException, IllegalArgumentException…) or a defect: as it is
    }
    Optional<SQLException> found = sqlException(e);
    if (found.isEmpty()) {
      return e instanceof ConnectionException
          ? unavailable("cannot reach PostgreSQL at " + database + " while " + action, REACH_HINT,
              e)
          : unavailable("Jdbi failed on " + database + " while " + action + " ("
              + oneLine(e.getMessage()) + ")", DEFECT_HINT, e);
    }
    SQLException sql = found.get();
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String detail = oneLine(sql.getMessage());
    if (state.startsWith("23")) {
      return new ConflictException("conflicting write to " + database + " while " + action
          + ": " + detail, e);
    }
    if (isConnectionFailure(sql) || e instanceof ConnectionException) {
      return unavailable("cannot reach PostgreSQL at " + database + " while " + action + " ("
          + detail + ")", REACH_HINT, e);
    }
    if (state.startsWith("28") || state.equals(NO_SUCH_DATABASE)) {
      return misconfigured(sql, action, e);
    }
    if (state.startsWith("40")) {
      return unavailable("PostgreSQL at " + database + " aborted a transaction while " + action
          + " (" + detail + ")", "another process competed for the same rows: run again", e);
    }
    if (state.startsWith("53")) {
      return unavailable("PostgreSQL at " + database + " ran out of resources while " + action
          + " (" + detail + ")", "free disk space or memory on the database server, or raise"
              + " its max_connections", e);
    }
    if (state.startsWith("42")) {
      return unavailable("the schema of " + database + " does not fit this RGrid while " + action
          + " (" + detail + ")", SCHEMA_HINT, e);
    }
    return unavailable("PostgreSQL at " + database + " failed while " + action + " (" + detail
        + ")", DEFECT_HINT, e);
  }

  /**
   * The error for a database that cannot be opened: {@code e} is what the pool or the migrations
   * threw while doing {@code action} ("connecting", …), outside Jdbi. The three usual causes at
   * start need three different fixes, so each gets its own message and hint: no server there
   * (start it, then run again), credentials it refuses and a database it lacks (a configuration
   * error that no retry cures, so their hints say what to change and not to run again). They stay
   * {@link BackendUnavailableException}s, the type the SPI names for a backend that refuses to
   * work; at open nothing retries them.
   */
  public static BackendUnavailableException opening(PostgresSettings settings, String action,
      Throwable e) {
    PgErrors errors = new PgErrors(settings);
    Optional<SQLException> found = sqlException(e);
    if (found.isEmpty()) {
      // The driver reports every connection failure as an SQLException, so this is Flyway
      // refusing the schema it found (e.g. one migrated by a newer RGrid), not an outage.
      return unavailable("cannot use the schema of " + errors.database + " while " + action
          + " (" + oneLine(String.valueOf(e.getMessage())) + ")", SCHEMA_HINT, e);
    }
    SQLException sql = found.get();
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    if (isConnectionFailure(sql)) {
      return unavailable("cannot reach PostgreSQL at " + errors.database + " while " + action
          + " (" + oneLine(sql.getMessage()) + ")", REACH_HINT, e);
    }
    if (state.startsWith("28") || state.equals(NO_SUCH_DATABASE)) {
      return errors.misconfigured(sql, action, e);
    }
    return unavailable("PostgreSQL at " + errors.database + " failed while " + action + " ("
        + oneLine(sql.getMessage()) + ")", "check that user " + errors.user + " may create"
            + " tables in that database (one it owns is simplest) and the server's log", e);
  }

  /** Refused credentials (SQLState class 28) or a database that does not exist (3D000). */
  private BackendUnavailableException misconfigured(SQLException sql, String action,
      Throwable e) {
    String detail = oneLine(sql.getMessage());
    if (NO_SUCH_DATABASE.equals(sql.getSQLState())) {
      return unavailable("PostgreSQL at " + database + " has no such database while " + action
          + " (" + detail + ")", "create it (CREATE DATABASE name OWNER " + user + ") or fix"
              + " the database name at the end of RGRID_DB_URL (store.url)", e);
    }
    return unavailable("PostgreSQL at " + database + " refused the credentials of user " + user
        + " while " + action + " (" + detail + ")", "check RGRID_DB_USER and RGRID_DB_PASSWORD"
            + " (store.user and store.password in config.properties), and that this user may"
            + " log in from this machine (pg_hba.conf)", e);
  }

  /** The SPI exception for a stored value that cannot be decoded. */
  BackendUnavailableException unreadable(String what, Exception cause) {
    return unavailable("cannot decode " + what + " stored in " + database + " ("
        + oneLine(cause.getMessage()) + ")", "the row was not written by this RGrid (or was"
            + " changed by hand): restore it, or report this message as an RGrid defect", cause);
  }

  /** The first {@link SQLException} among the causes of {@code e}, Jdbi's wrappers unwrapped. */
  static Optional<SQLException> sqlException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
        return Optional.of(sql);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code e} comes from a unique or primary-key violation. */
  static boolean isUniqueViolation(Throwable e) {
    return sqlException(e).map(s -> UNIQUE_VIOLATION.equals(s.getSQLState())).orElse(false);
  }

  /**
   * Whether the connection, not the statement, failed: SQLState class 08, the server shutting
   * down or not yet accepting connections (57P01–57P03), or the pool timing out while waiting for
   * a connection (which Hikari reports without a state when no connection attempt failed).
   */
  private static boolean isConnectionFailure(SQLException sql) {
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    return state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
        || state.equals("57P03") || sql instanceof SQLTransientConnectionException;
  }

  private static BackendUnavailableException unavailable(String message, String hint,
      Throwable cause) {
    return new BackendUnavailableException(BACKEND, message, hint, cause);
  }

  /**
   * The server's multi-line messages (Detail:, Hint:, Where:) on one line, cut short: Flyway's
   * run to a page with advice and links, and the CLI shows an error as one line.
   */
  private static String oneLine(String text) {
    if (text == null) {
      return "no message";
    }
    String line = text.strip().replaceAll("\\s*\\R\\s*", "; ");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  /** The URL without its parameters, which may carry a password. */
  private static String shown(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
  }
}
