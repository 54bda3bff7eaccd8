package dev.rgrid.core.internal.store;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import dev.rgrid.store.sql.RetentionSql;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Retention on the embedded database: each removal is one short IMMEDIATE transaction of at most
 * a page of executions, so runs writing meanwhile wait for a page, never for the whole cleanup.
 * The collection lock is an OS lock on {@code <database>.gc.lock} (not the database's write
 * lock, which a collection must not hold between its short transactions); the OS lets go of it
 * when the process dies.
 */
final class SqliteRetention implements RetentionStore {
  private final SqliteView view;

  SqliteRetention(SqliteView view) {
    this.view = view;
  }

  @Override
  public List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit,
      RetentionScope scope) {
    return view.db().read("listing ended executions",
        c -> RetentionSql.endedBefore(c, RetentionSql.Labels.TABLE, cutoff, after,
            limit, scope));
  }

  @Override
  public void setRetentionDays(AccountId account, Integer days) {
    view.db().write("setting an account's retention", c -> {
      RetentionSql.setRetentionDays(c, account, days);
      return null;
    });
  }

  @Override
  public Map<AccountId, Integer> retentionDays() {
    return view.db().read("reading the accounts' retention", RetentionSql::retentionDays);
  }

  @Override
  public Removal removeEnded(Collection<ExecutionId> ids, Instant cutoff, boolean dryRun) {
    String action = "removing " + ids.size() + " ended executions";
    if (dryRun) {
      return view.db().read(action, c -> RetentionSql.removeEnded(c, ids, cutoff, true));
    }
    return view.db().write(action, c -> RetentionSql.removeEnded(c, ids, cutoff, false));
  }

  @Override
  public BlobReferences blobReferences(ExecutionId after, Instant skipEndedBefore, int limit) {
    return view.db().read("reading the blobs executions use",
        c -> RetentionSql.blobReferences(c, after, skipEndedBefore, limit));
  }

  @Override
  public Optional<AutoCloseable> tryLockCollection() {
    Path file = view.db().file().resolveSibling(view.db().file().getFileName() + ".gc.lock");
    FileChannel channel = null;
    try {
      PrivateFiles.createIfMissing(file); // 0600, as everything in the state directory
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      FileChannel held = channel;
      return Optional.of(() -> {
        lock.release();
        held.close();
      });
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      return Optional.empty(); // held by this process, through another store on the same file
    } catch (IOException e) {
      closeQuietly(channel);
      throw new BackendUnavailableException("sqlite", "cannot lock " + file + " ("
          + e.getMessage() + ")", "check that the directory of the RGrid database is writable",
          e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // the lock attempt already failed; the channel only held a descriptor
    }
  }
}
