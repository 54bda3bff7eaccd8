package dev.rgrid.backend.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Function;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Maps {@link ExecutionRecord}s to rows of the {@code executions} table and back. Parameters are
 * named after their columns.
 */
final class ExecutionRows {
  /** Every column {@link #read} needs (labels live in the spec; their column is for filters). */
  static final String COLUMNS = "id, status, created_at, batch_id, spec, transitions, attempt,"
      + " worker_id, exit_code, failure, started_at, finished_at, cancel_requested, log_truncated,"
      + " stdout, stderr, cached, cached_from, cost_micros, cache_key, retry_of, retried_by";

  /** The columns that change over an execution's life, in {@link #UPDATE}'s order. */
  private static final String MUTABLE = "transitions, attempt, worker_id, exit_code, failure,"
      + " started_at, finished_at, cancel_requested, log_truncated, stdout, stderr, cached,"
      + " cached_from, cost_micros, cache_key, retry_of, retried_by";

  /** Inserts a row unless its id is taken: the caller counts the rows to tell. */
  static final String INSERT = "INSERT INTO executions (id, status, created_at, batch_id, spec,"
      + " labels, " + MUTABLE + ") VALUES (:id, :status, :created_at, :batch_id, :spec,"
      + " CAST(:labels AS jsonb), " + params(MUTABLE) + ") ON CONFLICT (id) DO NOTHING";

  /** Rewrites the mutable columns; id, spec, labels, creation time and batch never change. */
  static final String UPDATE = "UPDATE executions SET status = :status, "
      + assignments(MUTABLE) + " WHERE id = :id";

  private ExecutionRows() {}

  /** Binds every parameter of {@link #INSERT}. */
  static <S extends SqlStatement<S>> S bindInsert(S statement, ExecutionRecord r) {
    statement.bind("created_at", PgInstants.toColumn(r.createdAt()))
        .bind("batch_id", r.spec().batchId())
        .bind("spec", Json.encodeSpec(r.spec()))
        .bind("labels", Json.encodeLabels(r.spec().labels()));
    return bindUpdate(statement, r);
  }

  /** Binds every parameter of {@link #UPDATE}. */
  static <S extends SqlStatement<S>> S bindUpdate(S statement, ExecutionRecord r) {
    return statement.bind("id", r.id().value())
        .bind("status", r.status().name())
        .bind("transitions", Json.encodeTransitions(r.transitions()))
        .bind("attempt", r.attempt())
        .bind("worker_id", text(r.workerId(), WorkerId::value))
        .bind("exit_code", r.exitCode())
        .bind("failure", Json.encodeFailure(r.failure()))
        .bind("started_at", PgInstants.toColumn(r.startedAt()))
        .bind("finished_at", PgInstants.toColumn(r.finishedAt()))
        .bind("cancel_requested", r.cancelRequested())
        .bind("log_truncated", r.logTruncated())
        .bind("stdout", text(r.stdout(), BlobKey::sha256))
        .bind("stderr", text(r.stderr(), BlobKey::sha256))
        .bind("cached", r.cached())
        .bind("cached_from", text(r.cachedFrom(), ExecutionId::value))
        .bind("cost_micros", r.costMicros())
        .bind("cache_key", r.cacheKey())
        .bind("retry_of", text(r.retryOf(), ExecutionId::value))
        .bind("retried_by", text(r.retriedBy(), ExecutionId::value));
  }

  /**
   * The record in the current row, which has the {@link #COLUMNS}.
   *
   * @throws JsonProcessingException when a JSON column cannot be decoded
   */
  static ExecutionRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
    return new ExecutionRecord(
        new ExecutionId(rs.getString("id")),
        Json.decodeSpec(rs.getString("spec")),
        ExecutionStatus.valueOf(rs.getString("status")),
        PgInstants.fromColumn(rs.getLong("created_at")),
        Json.decodeTransitions(rs.getString("transitions")),
        rs.getInt("attempt"),
        value(rs.getString("worker_id"), WorkerId::new),
        rs.getObject("exit_code", Integer.class),
        Json.decodeFailure(rs.getString("failure")),
        PgInstants.fromColumn(rs.getObject("started_at", Long.class)),
        PgInstants.fromColumn(rs.getObject("finished_at", Long.class)),
        rs.getBoolean("cancel_requested"),
        rs.getBoolean("log_truncated"),
        value(rs.getString("stdout"), BlobKey::new),
        value(rs.getString("stderr"), BlobKey::new),
        rs.getBoolean("cached"),
        value(rs.getString("cached_from"), ExecutionId::new),
        rs.getLong("cost_micros"),
        rs.getString("cache_key"),
        value(rs.getString("retry_of"), ExecutionId::new),
        value(rs.getString("retried_by"), ExecutionId::new));
  }

  /** {@code a, b} as {@code :a, :b}. */
  private static String params(String columns) {
    return ":" + columns.replace(", ", ", :");
  }

  /** {@code a, b} as {@code a = :a, b = :b}. */
  private static String assignments(String columns) {
    StringBuilder sb = new StringBuilder();
    for (String column : columns.split(", ")) {
      sb.append(sb.isEmpty() ? "" : ", ").append(column).append(" = :").append(column);
    }
    return sb.toString();
  }

  private static <T> String text(T value, Function<T, String> f) {
    return value == null ? null : f.apply(value);
  }

  private static <T> T value(String text, Function<String, T> f) {
    return text == null ? null : f.apply(text);
  }
}
