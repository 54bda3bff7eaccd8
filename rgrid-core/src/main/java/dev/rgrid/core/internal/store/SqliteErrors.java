package dev.rgrid.core.internal.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.StorageFullException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/**
 * Turns driver errors into the exceptions the SPI names, so core reacts to the embedded store
 * exactly as it reacts to any other backend. Every message names the database file and every
 * unavailable error carries a one-line hint.
 */
final class SqliteErrors {
  static final String BACKEND = "sqlite";

  // Primary SQLite result codes (the low byte of an extended code).
  private static final int ERROR = 1;
  private static final int PERM = 3;
  private static final int BUSY = 5;
  private static final int LOCKED = 6;
  private static final int READONLY = 8;
  private static final int IOERR = 10;
  private static final int CORRUPT = 11;
  private static final int FULL = 13;
  private static final int CANTOPEN = 14;
  private static final int CONSTRAINT = 19;
  private static final int AUTH = 23;
  private static final int NOTADB = 26;

  private final Path file;

  SqliteErrors(Path file) {
    this.file = file;
  }

  /** The hint for a file that SQLite cannot read as a database. */
  String corruptHint() {
    return "move " + file + " aside (it is not a valid RGrid database) and run again;"
        + " RGrid will create a fresh one";
  }

  /** The hint for a file or directory RGrid may not write. */
  String unwritableHint() {
    Path dir = file.toAbsolutePath().getParent();
    return "make " + dir + " a writable directory or set RGRID_HOME to a writable directory";
  }

  /**
   * The SPI exception for a driver error met while doing {@code action} (e.g. "claiming work").
   * Constraint violations become {@link ConflictException}, a full disk {@link
   * StorageFullException}; everything else means the database cannot do its job and becomes
   * {@link BackendUnavailableException}.
   */
  RGridException translate(SQLException e, String action) {
    int code = primaryCode(e);
    String detail = e.getMessage();
    switch (code) {
      case CONSTRAINT:
        return conflict("conflicting write to " + file + " while " + action + ": " + detail, e);
      case BUSY:
      case LOCKED:
        return unavailable("the RGrid database " + file + " stayed locked by another process while "
            + action + " (" + detail + ")",
            "another rgrid process is holding it: let it finish or stop it, then run again", e);
      case CORRUPT:
      case NOTADB:
        return unavailable(file + " is not a valid RGrid database (" + detail + ") while " + action,
            corruptHint(), e);
      case FULL:
        return full("the disk holding the RGrid database " + file + " is full while " + action,
            e);
      case PERM:
      case READONLY:
      case IOERR:
      case CANTOPEN:
      case AUTH:
        return unavailable("cannot read or write the RGrid database " + file + " while " + action
            + " (" + detail + ")", unwritableHint(), e);
      default:
        return unavailable("SQLite failed on " + file + " while " + action + " (" + detail + ")",
            code == ERROR
                ? "this is probably an RGrid defect: report it with this message"
                : "check the disk and " + file + ", then run again", e);
    }
  }

  /** The SPI exception for a file-system error met before SQLite got the file (e.g. mkdir). */
  BackendUnavailableException translate(IOException e, String action) {
    if (StorageFullException.isOutOfSpace(e)) {
      return full("the disk holding the RGrid database " + file + " is full while " + action, e);
    }
    return unavailable("cannot use the RGrid database " + file + " while " + action + " ("
        + e + ")", unwritableHint(), e);
  }

  /** The SPI exception for a stored value that cannot be decoded. */
  BackendUnavailableException unreadable(String what, Exception cause) {
    return unavailable("cannot decode " + what + " stored in " + file + " (" + cause.getMessage()
        + ")", corruptHint(), cause);
  }

  private static int primaryCode(SQLException e) {
    if (e instanceof SQLiteException) {
      return ((SQLiteException) e).getResultCode().code & 0xff;
    }
    return e.getErrorCode() & 0xff;
  }

  /**
   * A conflict keeping the driver error. ConflictException has no cause constructor and its
   * super constructor already fixed the cause to null, so the error rides along as suppressed.
   */
  static ConflictException conflict(String message, SQLException cause) {
    ConflictException c = new ConflictException(message);
    c.addSuppressed(cause);
    return c;
  }

  /** Whether {@code e} means another connection holds a lock this one needs. */
  static boolean isBusy(SQLException e) {
    int code = primaryCode(e);
    return code == BUSY || code == LOCKED;
  }

  /** Whether {@code e} is a constraint violation (unique or primary key, foreign key, not null). */
  static boolean isConstraint(SQLException e) {
    return primaryCode(e) == CONSTRAINT;
  }

  private StorageFullException full(String message, Exception cause) {
    return new StorageFullException(BACKEND, file.toString(), message,
        "free space on that disk, or set RGRID_HOME to a directory on another disk", cause);
  }

  private static BackendUnavailableException unavailable(String message, String hint,
      Throwable cause) {
    return new BackendUnavailableException(BACKEND, message, hint, cause);
  }
}
