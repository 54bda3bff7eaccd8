package dev.rgrid.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.RGridException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Driver errors become the SPI's exceptions, naming the file and saying what to do. */
class SqliteErrorsTest {
  private final Path file = Path.of("/home/u/.rgrid/rgrid.db");
  private final SqliteErrors errors = new SqliteErrors(file);

  @Test
  void reportsALockHeldTooLongAsUnavailableWithAHint() {
    RGridException e = errors.translate(new SQLiteException("[SQLITE_BUSY] database is locked",
        SQLiteErrorCode.SQLITE_BUSY), "claiming work");
    assertThat(e).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("claiming work");
    assertThat(((BackendUnavailableException) e).backend()).isEqualTo("sqlite");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("another rgrid process"));
    assertThat(e.getCause()).isInstanceOf(SQLiteException.class);
  }

  @Test
  void pointsAReadOnlyDatabaseAtItsDirectoryAndRgridHome() {
    RGridException e = errors.translate(new SQLiteException("[SQLITE_READONLY_DIRECTORY]",
        SQLiteErrorCode.SQLITE_READONLY_DIRECTORY), "storing execution x");
    assertThat(e).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(file.toString());
    assertThat(e.hint()).hasValue("make /home/u/.rgrid a writable directory or set RGRID_HOME to a"
        + " writable directory");
  }

  @Test
  void reportsAFullDiskAsStorageFullNamingTheFileNotAsATransientOutage() {
    RGridException e = errors.translate(new SQLiteException("[SQLITE_FULL] database or disk is "
        + "full", SQLiteErrorCode.SQLITE_FULL), "updating execution x");
    assertThat(e).isInstanceOf(dev.rgrid.spi.StorageFullException.class)
        .hasMessageContaining("the disk holding the RGrid database " + file + " is full");
    assertThat(((dev.rgrid.spi.StorageFullException) e).location()).isEqualTo(file.toString());
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("free space")
        .contains("RGRID_HOME"));
  }

  @Test
  void reportsNoSpaceLeftBeforeSqliteGotTheFileAsStorageFull() {
    RGridException e = errors.translate(new java.io.IOException("No space left on device"),
        "creating the state directory");
    assertThat(e).isInstanceOf(dev.rgrid.spi.StorageFullException.class);
  }

  @Test
  void tellsHowToRecoverFromACorruptFile() {
    RGridException e = errors.translate(new SQLiteException("[SQLITE_CORRUPT] malformed",
        SQLiteErrorCode.SQLITE_CORRUPT), "listing executions");
    assertThat(e).isInstanceOf(BackendUnavailableException.class);
    assertThat(e.hint()).hasValue("move " + file + " aside (it is not a valid RGrid database) and"
        + " run again; RGrid will create a fresh one");
  }

  @Test
  void reportsAConstraintViolationAsAConflictKeepingTheDriverError() {
    SQLiteException driver = new SQLiteException("[SQLITE_CONSTRAINT_UNIQUE] UNIQUE failed",
        SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
    RGridException e = errors.translate(driver, "queueing x");
    assertThat(e).isInstanceOf(ConflictException.class).hasMessageContaining(file.toString());
    assertThat(e.getSuppressed()).containsExactly(driver);
  }
}
