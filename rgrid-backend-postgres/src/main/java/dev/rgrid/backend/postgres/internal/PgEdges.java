package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.store.sql.ParentRelease;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * {@link ParentRelease}'s statements on PostgreSQL, on the handle of an open transaction. Locks
 * are row locks held to the commit; announcements are NOTIFYs, delivered at the commit: a child
 * made claimable wakes the workers listening on the queue's channel, a skipped one its followers.
 */
final class PgEdges implements ParentRelease.Edges<RuntimeException> {
  private static final String READ = "SELECT " + ExecutionRows.COLUMNS
      + " FROM executions WHERE id = :id FOR NO KEY UPDATE";

  private final Handle h;
  private final PgRecordUpdates.Decoder decoder;
  private final String changes;

  PgEdges(Handle h, PgRecordUpdates.Decoder decoder, String changes) {
    this.h = h;
    this.decoder = decoder;
    this.changes = changes;
  }

  @Override
  public Map<ExecutionId, ExecutionStatus> lockParents(List<ExecutionId> ids) {
    // FOR SHARE conflicts with the row lock of the update that ends a parent: a parent ending now
    // is seen ended (after its commit), or ends only after this child's edges are committed.
    Map<ExecutionId, ExecutionStatus> out = new HashMap<>();
    h.createQuery("SELECT id, status FROM executions WHERE id = ANY(:ids) ORDER BY id FOR SHARE")
        .bindArray("ids", String.class, ids.stream().map(ExecutionId::value).toArray())
        .map((rs, ctx) -> Map.entry(new ExecutionId(rs.getString(1)),
            ExecutionStatus.valueOf(rs.getString(2))))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  @Override
  public ParentRelease.BatchRuns lockBatch(BatchId batch) {
    Integer size = h.createQuery("SELECT size FROM batches WHERE id = :id")
        .bind("id", batch.value()).mapTo(Integer.class).findOne().orElse(null);
    if (size == null) {
      return null;
    }
    // The batch's latest runs under the same share lock as lockParents: a run ending now is seen
    // ended, or its end waits for this child's edges and then releases (or skips) it. Runs
    // retried by hand carry retried_by: their retry stands for them, as in the batch's progress.
    Map<ExecutionId, ExecutionStatus> latest = new LinkedHashMap<>();
    h.createQuery("SELECT id, status FROM executions WHERE batch_id = :batch"
            + " AND retried_by IS NULL ORDER BY id FOR SHARE")
        .bind("batch", batch.value())
        .map((rs, ctx) -> Map.entry(new ExecutionId(rs.getString(1)),
            ExecutionStatus.valueOf(rs.getString(2))))
        .forEach(e -> latest.put(e.getKey(), e.getValue()));
    return new ParentRelease.BatchRuns(size, latest);
  }

  @Override
  public void insert(ExecutionId child, List<ExecutionId> parents) {
    // One statement however many: a child of a batch has an edge per run of it.
    // DO NOTHING: a child handed over to an expanded batch's runs may wait for some already.
    h.createUpdate("INSERT INTO execution_parents (child_id, parent_id)"
            + " SELECT :child, unnest(:parents) ON CONFLICT DO NOTHING")
        .bind("child", child.value())
        .bindArray("parents", String.class, parents.stream().map(ExecutionId::value).toArray())
        .execute();
  }

  @Override
  public List<ExecutionId> children(ExecutionId parent) {
    return h.createQuery("SELECT child_id FROM execution_parents WHERE parent_id = :parent"
        + " ORDER BY child_id").bind("parent", parent.value())
        .map((rs, ctx) -> new ExecutionId(rs.getString(1))).list();
  }

  @Override
  public ExecutionRecord lockRecord(ExecutionId id) {
    return h.createQuery(READ).bind("id", id.value()).map((rs, ctx) -> decoder.decode(rs))
        .findOne().orElseThrow(() -> new NotFoundException("no execution " + id,
            PgExecutions.NO_EXECUTION_HINT));
  }

  @Override
  public void delete(ExecutionId child, ExecutionId parent) {
    h.createUpdate("DELETE FROM execution_parents WHERE child_id = :child AND parent_id = :parent")
        .bind("child", child.value()).bind("parent", parent.value()).execute();
  }

  @Override
  public void deleteAll(ExecutionId child) {
    h.createUpdate("DELETE FROM execution_parents WHERE child_id = :child")
        .bind("child", child.value()).execute();
  }

  @Override
  public boolean waitsStill(ExecutionId child) {
    return h.createQuery("SELECT EXISTS (SELECT 1 FROM execution_parents WHERE child_id = :child)")
        .bind("child", child.value()).mapTo(Boolean.class).one();
  }

  @Override
  public void write(ExecutionRecord next) {
    ExecutionRows.bindUpdate(h.createUpdate(ExecutionRows.UPDATE), next).execute();
  }

  @Override
  public void removeQueueEntry(ExecutionId id) {
    h.createUpdate(PgQueueSql.REMOVE).bind("id", id.value()).execute();
  }

  @Override
  public void announceQueued(ExecutionId id) {
    h.createQuery(PgQueueSql.NOTIFY).mapTo(String.class).one();
  }

  @Override
  public void announceEnded(ExecutionId id) {
    h.createQuery("SELECT pg_notify(:channel, :id)").bind("channel", changes)
        .bind("id", id.value()).mapTo(String.class).one();
  }
}
