package dev.rgrid.core.internal.store;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.MetadataStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded database behind the default {@link MetadataStore} and {@link ExecutionQueue}: one
 * SQLite file in WAL mode that several threads, several instances and several processes may use
 * at once.
 *
 * <p>One instance holds one JDBC connection behind a lock, so its threads take turns; other
 * instances and processes are kept apart by SQLite's own file locks. Every write runs in a {@code
 * BEGIN IMMEDIATE} transaction, which takes the write lock before its first read: a deferred
 * read-then-write transaction can fail with {@code SQLITE_BUSY} without waiting, an immediate one
 * waits up to the busy timeout instead.
 *
 * <p>The database owns its connection: {@link #close()} closes it, and with it every view from
 * {@link #metadataStore()} and {@link #queue()}. Closing a view only retires that view, so whoever
 * opened the database closes it, after the views' last use.
 */
public final class SqliteDatabase implements AutoCloseable {
  /** How long a statement waits for another process's lock before giving up. */
  static final int BUSY_TIMEOUT_MILLIS = 15_000;
  /** A class of the SQLite driver, looked up by name before anything of it is touched. */
  static final String DRIVER_CLASS = "org.sqlite.JDBC";
  private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

  private final Path file;
  private final SqliteErrors errors;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection; // guarded by lock; null once closed

  private SqliteDatabase(Path file, SqliteErrors errors, Connection connection) {
    this.file = file;
    this.errors = errors;
    this.connection = connection;
  }

  /**
   * Opens the database at {@code file}, creating it and its parent directories if needed, and
   * brings its schema up to date.
   *
   * @throws BackendUnavailableException when the file cannot be created, read or written, is not
   *     a database, or was written by a newer RGrid
   * @throws RGridException when the SQLite driver is not on the class path
   */
  public static SqliteDatabase open(Path file) {
    Path path = file.toAbsolutePath();
    requireDriver(path);
    SqliteErrors errors = new SqliteErrors(path);
    if (path.toString().indexOf('?') >= 0) {
      // The driver reads everything after '?' in its URL as connection options.
      throw new BackendUnavailableException(SqliteErrors.BACKEND,
          "cannot keep the RGrid database at " + path + ": its path contains '?'",
          "set RGRID_HOME to a directory whose path has no '?'", null);
    }
    if (Files.isDirectory(path)) {
      throw new BackendUnavailableException(SqliteErrors.BACKEND,
          "cannot open the RGrid database " + path + ": it is a directory",
          "move " + path + " aside or set RGRID_HOME to another directory", null);
    }
    try {
      PrivateFiles.createDirectories(path.getParent());
    } catch (IOException e) {
      throw errors.translate(e, "creating its directory");
    }
    try {
      // SQLite accepts an empty file as a new database, and gives its -wal, -shm and -journal
      // files the database file's own mode (fchmod past the umask): creating it 0600 here keeps
      // all of them private, with no moment at which another user could open one.
      PrivateFiles.createIfMissing(path);
    } catch (IOException e) {
      throw errors.translate(e, "creating it");
    }
    Connection c;
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
      config.enforceForeignKeys(true);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      c = config.createConnection("jdbc:sqlite:" + path);
    } catch (SQLException e) {
      throw errors.translate(e, "opening it");
    }
    try {
      prepare(c, path, errors);
      return new SqliteDatabase(path, errors, c);
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e instanceof SQLException ? errors.translate((SQLException) e, "opening it")
          : (RuntimeException) e;
    }
  }

  /**
   * Fails clearly when the driver is missing, as it is for an application that depends on
   * rgrid-client only (which leaves it out): touching the driver's classes would otherwise fail
   * with a bare {@link NoClassDefFoundError}.
   */
  private static void requireDriver(Path path) {
    try {
      Class.forName(DRIVER_CLASS, false, SqliteDatabase.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new RGridException("cannot open the embedded RGrid database " + path
          + ": the SQLite driver (org.xerial:sqlite-jdbc) is not on the class path",
          "depend on dev.rgrid:rgrid-core to run work here (rgrid-client alone only connects "
              + "to a server: RGrid.connect)", null, e);
    }
  }

  private static void prepare(Connection c, Path path, SqliteErrors errors) throws SQLException {
    try (Statement s = c.createStatement()) {
      // Reading the mode first spares the write lock that setting it takes, so processes opening
      // an existing database never queue up behind each other here.
      String mode = pragma(s, "PRAGMA journal_mode");
      if (!"wal".equals(mode)) {
        mode = switchToWal(s);
      }
      if (!"wal".equals(mode)) {
        LOG.warn("SQLite refused WAL mode for {} (the file system may not support it); using {}",
            path, mode);
      }
    }
    if (Schema.migrate(c) < 0) {
      throw new BackendUnavailableException(SqliteErrors.BACKEND, path
          + " was written by a newer RGrid (schema " + Schema.version(c) + ", this one knows "
          + Schema.latestVersion() + ")",
          "upgrade RGrid, or set RGRID_HOME to another directory", null);
    }
  }

  /**
   * Sets WAL mode, waiting for other connections that do the same. SQLite answers SQLITE_BUSY here
   * without calling its busy handler (the lock upgrade could deadlock), so when several processes
   * open a fresh file at once the losers wait and retry on their own, up to the busy timeout.
   */
  private static String switchToWal(Statement s) throws SQLException {
    long deadline = System.nanoTime() + BUSY_TIMEOUT_MILLIS * 1_000_000L;
    long pauseMillis = 1;
    while (true) {
      try {
        return pragma(s, "PRAGMA journal_mode=WAL");
      } catch (SQLException e) {
        if (!SqliteErrors.isBusy(e) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          e.addSuppressed(interrupted);
          throw e;
        }
        pauseMillis = Math.min(pauseMillis * 2, 50);
      }
    }
  }

  private static String pragma(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : "";
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** A metadata store on this database, usable until this database is closed. */
  public MetadataStore metadataStore() {
    checkOpen();
    return SqliteMetadataStore.open(this);
  }

  /** An execution queue on this database, usable until this database is closed. */
  public ExecutionQueue queue() {
    checkOpen();
    return new SqliteExecutionQueue(this);
  }

  /** The accounts and API keys kept in this database, usable until this database is closed. */
  public AccountStore accounts() {
    checkOpen();
    return new SqliteAccounts(this);
  }

  /**
   * Closes the connection, after any call in progress on another thread; later calls on this
   * database or its views throw {@link IllegalStateException}. Closing twice does nothing.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (connection != null) {
        Connection c = connection;
        connection = null;
        c.close();
      }
    } catch (SQLException e) {
      throw errors.translate(e, "closing it");
    } finally {
      lock.unlock();
    }
  }

  /** The error translator for this file. */
  SqliteErrors errors() {
    return errors;
  }

  /** Runs {@code work} alone on the connection, outside any explicit transaction. */
  <T> T read(String action, ConnectionWork<T> work) {
    lock.lock();
    try {
      return work.run(requireOpen());
    } catch (SQLException e) {
      throw errors.translate(e, action);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction, committed when it returns and
   * rolled back when it throws (its exception then propagates, driver errors translated).
   */
  <T> T write(String action, ConnectionWork<T> work) {
    lock.lock();
    try {
      Connection c = requireOpen();
      return immediate(c, () -> work.run(c));
    } catch (SQLException e) {
      throw errors.translate(e, action);
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on {@code c}. */
  static <T> T immediate(Connection c, SqlWork<T> work) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run();
        s.execute("COMMIT");
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException rollback) {
          // Some failures (I/O, a failed COMMIT) end the transaction themselves; keep the
          // rollback's complaint beside the real error rather than hiding either.
          e.addSuppressed(rollback);
        }
        throw e;
      }
    }
  }

  private void checkOpen() {
    lock.lock();
    try {
      requireOpen();
    } finally {
      lock.unlock();
    }
  }

  private Connection requireOpen() {
    if (connection == null) {
      throw new IllegalStateException("the RGrid database " + file + " is closed");
    }
    return connection;
  }

  /** Work on the connection that may throw driver errors. */
  @FunctionalInterface
  interface ConnectionWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work inside a transaction that may throw driver errors. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run() throws SQLException;
  }
}
