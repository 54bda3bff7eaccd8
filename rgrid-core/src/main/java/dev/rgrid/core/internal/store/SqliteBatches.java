package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.BatchStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.store.sql.BatchColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Batches: their rows in {@code batches}, and the summary of their executions. */
final class SqliteBatches implements BatchStore {
  private final SqliteView view;

  SqliteBatches(SqliteView view) {
    this.view = view;
  }

  @Override
  public void createBatch(BatchRecord batch) {
    Objects.requireNonNull(batch, "batch");
    view.db().write("storing batch " + batch.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO batches (id, created_at,"
          + " script_name, runtime, size, parallel, labels) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, batch.id().value());
        ps.setLong(2, NanoInstants.toColumn(batch.createdAt()));
        ps.setString(3, batch.scriptName());
        ps.setString(4, batch.runtime());
        ps.setInt(5, batch.size());
        ps.setInt(6, batch.parallel());
        ps.setString(7, StoreJson.encodeLabels(batch.labels()));
        ps.executeUpdate();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("batch " + batch.id() + " exists", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public boolean removeEmptyBatch(BatchId id) {
    Objects.requireNonNull(id, "id");
    // One statement: an execution stored into the batch meanwhile keeps it.
    return view.db().write("removing empty batch " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM batches WHERE id = ?"
          + " AND NOT EXISTS (SELECT 1 FROM executions WHERE batch_id = ?)")) {
        ps.setString(1, id.value());
        ps.setString(2, id.value());
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Optional<BatchRecord> findBatch(BatchId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("reading batch " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + BatchColumns.COLUMNS
          + " FROM batches WHERE id = ?")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(decode(id, rs));
        }
      }
    });
  }

  @Override
  public List<BatchRecord> listBatches(Map<String, String> labels, BatchId before, int limit) {
    BatchColumns.checkListing(labels, limit);
    StringBuilder sql = new StringBuilder("SELECT id, " + BatchColumns.COLUMNS
        + " FROM batches WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (before != null) {
      sql.append(" AND id < ?");
      args.add(before.value());
    }
    // Labels are kept as a JSON object per batch: json_each matches a key without building a
    // JSON path from it (a key may hold any character).
    labels.forEach((k, v) -> {
      sql.append(" AND EXISTS (SELECT 1 FROM json_each(batches.labels) j"
          + " WHERE j.key = ? AND j.value = ?)");
      args.add(k);
      args.add(v);
    });
    sql.append(" ORDER BY id DESC LIMIT ").append(limit);
    return view.db().read("listing batches", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setString(i + 1, args.get(i));
        }
        List<BatchRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(decode(BatchId.of(rs.getString("id")), rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public BatchSummary batchSummary(BatchId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("summing up batch " + id, c -> {
      BatchColumns.Summing sum = new BatchColumns.Summing();
      // Executions replaced by a retry by hand carry retried_by: their retry stands for them.
      try (PreparedStatement ps = c.prepareStatement("SELECT status, count(*),"
          + " sum(cached), sum(cost_micros), max(finished_at) FROM executions"
          + " WHERE batch_id = ? AND retried_by IS NULL GROUP BY status")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sum.add(ExecutionStatus.valueOf(rs.getString(1)), rs.getLong(2), rs.getLong(3),
                rs.getLong(4), NanoInstants.read(rs, 5));
          }
        }
      }
      return sum.summary(id);
    });
  }

  private BatchRecord decode(BatchId id, ResultSet rs) throws SQLException {
    try {
      return BatchColumns.read(id, rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or a damaged file): say which batch, never guess.
      throw view.db().errors().unreadable("batch " + id, e);
    }
  }
}
