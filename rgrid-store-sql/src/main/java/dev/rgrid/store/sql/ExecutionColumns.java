package dev.rgrid.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The columns of the {@code executions} table that hold an {@link ExecutionRecord}, and the
 * mapping of a record to their values and back. Instants are {@link NanoInstants}, structured
 * parts {@link StoreJson}, ids and blob keys their text. A store may keep more columns (labels,
 * for filters) beside these.
 */
public final class ExecutionColumns {
  /** The columns written once, when the record is created. */
  public static final List<String> IMMUTABLE = List.of("id", "created_at", "batch_id", "spec");

  /** The columns that change over an execution's life, status first. */
  public static final List<String> MUTABLE = List.of("status", "transitions", "attempt",
      "worker_id", "exit_code", "failure", "started_at", "finished_at", "cancel_requested",
      "log_truncated", "stdout", "stderr", "cached", "cached_from", "cost_micros", "cache_key",
      "retry_of", "retried_by");

  /** Every column {@link #read} needs, comma-separated for a SELECT list. */
  public static final String COLUMNS = String.join(", ", IMMUTABLE) + ", "
      + String.join(", ", MUTABLE);

  private ExecutionColumns() {}

  /**
   * The values of every column of {@code r}, by name, immutable ones first: {@code String},
   * {@code Integer}, {@code Long}, {@code Boolean} or {@code null} for SQL NULL, ready to bind.
   */
  public static Map<String, Object> values(ExecutionRecord r) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", r.id().value());
    v.put("created_at", NanoInstants.toColumn(r.createdAt()));
    v.put("batch_id", r.spec().batchId());
    v.put("spec", StoreJson.encodeSpec(r.spec()));
    v.putAll(mutableValues(r));
    return v;
  }

  /**
   * The values of the {@link #MUTABLE} columns of {@code r}, in that order, as {@link #values}
   * gives them: what an update writes. The spec, by far the largest column to encode, is left
   * out, as it never changes after creation.
   */
  public static Map<String, Object> mutableValues(ExecutionRecord r) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("status", r.status().name());
    v.put("transitions", StoreJson.encodeTransitions(r.transitions()));
    v.put("attempt", r.attempt());
    v.put("worker_id", text(r.workerId(), WorkerId::value));
    v.put("exit_code", r.exitCode());
    v.put("failure", StoreJson.encodeFailure(r.failure()));
    v.put("started_at", NanoInstants.toNullableColumn(r.startedAt()));
    v.put("finished_at", NanoInstants.toNullableColumn(r.finishedAt()));
    v.put("cancel_requested", r.cancelRequested());
    v.put("log_truncated", r.logTruncated());
    v.put("stdout", text(r.stdout(), BlobKey::sha256));
    v.put("stderr", text(r.stderr(), BlobKey::sha256));
    v.put("cached", r.cached());
    v.put("cached_from", text(r.cachedFrom(), ExecutionId::value));
    v.put("cost_micros", r.costMicros());
    v.put("cache_key", r.cacheKey());
    v.put("retry_of", text(r.retryOf(), ExecutionId::value));
    v.put("retried_by", text(r.retriedBy(), ExecutionId::value));
    return v;
  }

  /**
   * The record in the current row, which has the {@link #COLUMNS} (by name, in any order).
   *
   * @throws JsonProcessingException when a JSON column cannot be decoded
   */
  public static ExecutionRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
    int exitCode = rs.getInt("exit_code");
    Integer exit = rs.wasNull() ? null : exitCode;
    return new ExecutionRecord(
        new ExecutionId(rs.getString("id")),
        StoreJson.decodeSpec(rs.getString("spec")),
        ExecutionStatus.valueOf(rs.getString("status")),
        NanoInstants.fromColumn(rs.getLong("created_at")),
        StoreJson.decodeTransitions(rs.getString("transitions")),
        rs.getInt("attempt"),
        value(rs.getString("worker_id"), WorkerId::new),
        exit,
        StoreJson.decodeFailure(rs.getString("failure")),
        NanoInstants.read(rs, "started_at"),
        NanoInstants.read(rs, "finished_at"),
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

  private static <T> String text(T value, Function<T, String> f) {
    return value == null ? null : f.apply(value);
  }

  private static <T> T value(String text, Function<String, T> f) {
    return text == null ? null : f.apply(text);
  }
}
