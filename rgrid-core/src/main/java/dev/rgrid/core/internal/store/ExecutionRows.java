package dev.rgrid.core.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.function.Function;

/** Maps {@link ExecutionRecord}s to rows of the {@code executions} table and back. */
final class ExecutionRows {
  /** Every column, in the order {@link #read} expects them. */
  static final String COLUMNS = "id, status, created_at, batch_id, spec, transitions, attempt,"
      + " worker_id, exit_code, failure, started_at, finished_at, cancel_requested, log_truncated,"
      + " stdout, stderr, cached, cached_from, cost_micros, cache_key, retry_of, retried_by";

  static final String INSERT = "INSERT INTO executions (" + COLUMNS
      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Rewrites the mutable columns; id, spec, creation time and batch never change. */
  static final String UPDATE = "UPDATE executions SET status = ?, transitions = ?, attempt = ?,"
      + " worker_id = ?, exit_code = ?, failure = ?, started_at = ?, finished_at = ?,"
      + " cancel_requested = ?, log_truncated = ?, stdout = ?, stderr = ?, cached = ?,"
      + " cached_from = ?, cost_micros = ?, cache_key = ?, retry_of = ?, retried_by = ?"
      + " WHERE id = ?";

  private ExecutionRows() {}

  /** Binds every column of {@link #INSERT}. */
  static void bindInsert(PreparedStatement ps, ExecutionRecord r) throws SQLException {
    ps.setString(1, r.id().value());
    ps.setString(2, r.status().name());
    ps.setLong(3, Instants.toColumn(r.createdAt()));
    ps.setString(4, r.spec().batchId());
    ps.setString(5, Json.encodeSpec(r.spec()));
    bindMutable(ps, 6, r);
  }

  /** Binds every parameter of {@link #UPDATE}. */
  static void bindUpdate(PreparedStatement ps, ExecutionRecord r) throws SQLException {
    ps.setString(1, r.status().name());
    int next = bindMutable(ps, 2, r);
    ps.setString(next, r.id().value());
  }

  /** Binds transitions … cache_key from {@code first}; returns the next parameter index. */
  private static int bindMutable(PreparedStatement ps, int first, ExecutionRecord r)
      throws SQLException {
    int i = first;
    ps.setString(i++, Json.encodeTransitions(r.transitions()));
    ps.setInt(i++, r.attempt());
    ps.setString(i++, text(r.workerId(), WorkerId::value));
    if (r.exitCode() == null) {
      ps.setNull(i++, Types.INTEGER);
    } else {
      ps.setInt(i++, r.exitCode());
    }
    ps.setString(i++, Json.encodeFailure(r.failure()));
    Instants.bind(ps, i++, r.startedAt());
    Instants.bind(ps, i++, r.finishedAt());
    ps.setBoolean(i++, r.cancelRequested());
    ps.setBoolean(i++, r.logTruncated());
    ps.setString(i++, text(r.stdout(), BlobKey::sha256));
    ps.setString(i++, text(r.stderr(), BlobKey::sha256));
    ps.setBoolean(i++, r.cached());
    ps.setString(i++, text(r.cachedFrom(), ExecutionId::value));
    ps.setLong(i++, r.costMicros());
    ps.setString(i++, r.cacheKey());
    ps.setString(i++, text(r.retryOf(), ExecutionId::value));
    ps.setString(i++, text(r.retriedBy(), ExecutionId::value));
    return i;
  }

  /**
   * The record in the current row, whose columns are {@link #COLUMNS}.
   *
   * @throws JsonProcessingException when a JSON column cannot be decoded
   */
  static ExecutionRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
    int exitCode = rs.getInt(9);
    Integer exit = rs.wasNull() ? null : exitCode;
    return new ExecutionRecord(
        new ExecutionId(rs.getString(1)),
        Json.decodeSpec(rs.getString(5)),
        ExecutionStatus.valueOf(rs.getString(2)),
        Instants.fromColumn(rs.getLong(3)),
        Json.decodeTransitions(rs.getString(6)),
        rs.getInt(7),
        value(rs.getString(8), WorkerId::new),
        exit,
        Json.decodeFailure(rs.getString(10)),
        Instants.read(rs, 11),
        Instants.read(rs, 12),
        rs.getBoolean(13),
        rs.getBoolean(14),
        value(rs.getString(15), BlobKey::new),
        value(rs.getString(16), BlobKey::new),
        rs.getBoolean(17),
        value(rs.getString(18), ExecutionId::new),
        rs.getLong(19),
        rs.getString(20),
        value(rs.getString(21), ExecutionId::new),
        value(rs.getString(22), ExecutionId::new));
  }

  private static <T> String text(T value, Function<T, String> f) {
    return value == null ? null : f.apply(value);
  }

  private static <T> T value(String text, Function<String, T> f) {
    return text == null ? null : f.apply(text);
  }
}
