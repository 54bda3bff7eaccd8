package dev.rgrid.core.internal.store;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionStore;
import dev.rgrid.store.sql.RetentionSql;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Retention on the embedded database: each removal is one short IMMEDIATE transaction of at most
 * a page of executions, so runs writing meanwhile wait for a page, never for the whole cleanup.
 */
final class SqliteRetention implements RetentionStore {
  private final SqliteView view;

  SqliteRetention(SqliteView view) {
    this.view = view;
  }

  @Override
  public List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit) {
    return view.db().read("listing ended executions",
        c -> RetentionSql.endedBefore(c, cutoff, after, limit));
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
}
