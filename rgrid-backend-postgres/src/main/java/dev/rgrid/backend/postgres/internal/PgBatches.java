package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.BatchStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.store.sql.BatchColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Batches: their rows in {@code batches}, and the summary of their executions. */
final class PgBatches implements BatchStore {
  private final Jdbi jdbi;
  private final PgErrors errors;

  PgBatches(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public void createBatch(BatchRecord batch) {
    Objects.requireNonNull(batch, "batch");
    int inserted = errors.call("storing batch " + batch.id(), () -> jdbi.withHandle(h ->
        h.createUpdate("INSERT INTO batches (id, created_at, script_name, runtime, size, parallel,"
                + " labels) VALUES (:id, :created_at, :script_name, :runtime, :size, :parallel,"
                + " CAST(:labels AS jsonb)) ON CONFLICT (id) DO NOTHING")
            .bind("id", batch.id().value())
            .bind("created_at", NanoInstants.toColumn(batch.createdAt()))
            .bind("script_name", batch.scriptName())
            .bind("runtime", batch.runtime())
            .bind("size", batch.size())
            .bind("parallel", batch.parallel())
            .bind("labels", StoreJson.encodeLabels(batch.labels()))
            .execute()));
    if (inserted == 0) {
      throw new ConflictException("batch " + batch.id() + " already exists");
    }
  }

  @Override
  public boolean removeEmptyBatch(BatchId id) {
    Objects.requireNonNull(id, "id");
    // One statement; executions_batch answers the NOT EXISTS by index. An execution committed
    // meanwhile keeps the batch (one committed after it is the caller's race: it submits alone).
    return errors.call("removing empty batch " + id, () -> jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM batches WHERE id = :id"
                + " AND NOT EXISTS (SELECT 1 FROM executions WHERE batch_id = :id)")
            .bind("id", id.value())
            .execute())) == 1;
  }

  @Override
  public Optional<BatchRecord> findBatch(BatchId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading batch " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + BatchColumns.COLUMNS + " FROM batches WHERE id = :id")
            .bind("id", id.value())
            .map((rs, ctx) -> decode(id, rs))
            .findOne()));
  }

  @Override
  public List<BatchRecord> listBatches(Map<String, String> labels, BatchId before, int limit) {
    BatchColumns.checkListing(labels, limit);
    // Containment of the wanted labels in the batch's JSONB labels: every one, by exact value.
    String sql = "SELECT id, " + BatchColumns.COLUMNS + " FROM batches"
        + " WHERE labels @> CAST(:labels AS jsonb)"
        + (before == null ? "" : " AND id < :before")
        + " ORDER BY id DESC LIMIT :limit";
    return errors.call("listing batches", () -> jdbi.withHandle(h -> {
      var q = h.createQuery(sql).bind("labels", StoreJson.encodeLabels(labels))
          .bind("limit", limit);
      if (before != null) {
        q.bind("before", before.value());
      }
      return q.map((rs, ctx) -> decode(BatchId.of(rs.getString("id")), rs)).list();
    }));
  }

  @Override
  public BatchSummary batchSummary(BatchId id) {
    Objects.requireNonNull(id, "id");
    // Executions replaced by a retry by hand carry retried_by: their retry stands for them.
    List<StatusRow> rows = errors.call("summing up batch " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT status, count(*) AS n, count(*) FILTER (WHERE cached) AS hits,"
                + " coalesce(sum(cost_micros), 0) AS cost, max(finished_at) AS last"
                + " FROM executions WHERE batch_id = :id AND retried_by IS NULL GROUP BY status")
            .bind("id", id.value())
            .map((rs, ctx) -> new StatusRow(ExecutionStatus.valueOf(rs.getString("status")),
                rs.getLong("n"), rs.getLong("hits"), rs.getLong("cost"),
                NanoInstants.read(rs, "last")))
            .list()));
    BatchColumns.Summing sum = new BatchColumns.Summing();
    rows.forEach(row -> sum.add(row.status(), row.count(), row.cached(), row.cost(),
        row.lastFinished()));
    return sum.summary(id);
  }

  /** The executions of a batch in one status, summed up. */
  private record StatusRow(ExecutionStatus status, long count, long cached, long cost,
      Instant lastFinished) {}

  private BatchRecord decode(BatchId id, ResultSet rs) throws SQLException {
    try {
      return BatchColumns.read(id, rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      throw errors.unreadable("batch " + id, e);
    }
  }
}
