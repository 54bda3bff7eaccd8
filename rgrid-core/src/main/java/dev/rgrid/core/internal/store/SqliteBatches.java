package dev.rgrid.core.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Batches: their rows in {@code batches}, and the summary of their executions. */
final class SqliteBatches {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final SqliteView view;

  SqliteBatches(SqliteView view) {
    this.view = view;
  }

  void create(BatchRecord batch) {
    Objects.requireNonNull(batch, "batch");
    view.db().write("storing batch " + batch.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO batches (id, created_at,"
          + " script_name, runtime, size, parallel, labels) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, batch.id().value());
        ps.setLong(2, Instants.toColumn(batch.createdAt()));
        ps.setString(3, batch.scriptName());
        ps.setString(4, batch.runtime());
        ps.setInt(5, batch.size());
        ps.setInt(6, batch.parallel());
        ps.setString(7, MAPPER.writeValueAsString(batch.labels()));
        ps.executeUpdate();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("batch " + batch.id() + " exists", e);
        }
        throw e;
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot encode labels", e);
      }
      return null;
    });
  }

  Optional<BatchRecord> find(BatchId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("reading batch " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT created_at, script_name, runtime,"
          + " size, parallel, labels FROM batches WHERE id = ?")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(new BatchRecord(id, Instants.fromColumn(rs.getLong(1)),
              rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
              decodeLabels(rs.getString(6))));
        }
      }
    });
  }

  BatchSummary summary(BatchId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("summing up batch " + id, c -> {
      Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
      long cached = 0;
      long cost = 0;
      Instant last = null;
      // Executions replaced by a retry by hand carry retried_by: their retry stands for them.
      try (PreparedStatement ps = c.prepareStatement("SELECT status, count(*),"
          + " sum(cached), sum(cost_micros), max(finished_at) FROM executions"
          + " WHERE batch_id = ? AND retried_by IS NULL GROUP BY status")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            counts.put(ExecutionStatus.valueOf(rs.getString(1)), rs.getLong(2));
            cached += rs.getLong(3);
            cost = Math.addExact(cost, rs.getLong(4));
            long finished = rs.getLong(5);
            if (!rs.wasNull()) {
              Instant at = Instants.fromColumn(finished);
              last = last == null || at.isAfter(last) ? at : last;
            }
          }
        }
      }
      return new BatchSummary(id, counts, cached, cost, last);
    });
  }

  private static Map<String, String> decodeLabels(String json) {
    try {
      return MAPPER.readValue(json, LABELS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt labels in the batches table", e);
    }
  }
}
