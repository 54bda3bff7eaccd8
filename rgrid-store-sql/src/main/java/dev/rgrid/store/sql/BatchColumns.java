package dev.rgrid.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * The columns of the {@code batches} table, the {@link BatchRecord} of a row, and the summing up
 * of a batch's executions into a {@link BatchSummary}.
 */
public final class BatchColumns {
  /** Every column {@link #read} needs (the id is known), comma-separated for a SELECT list. */
  public static final String COLUMNS = "created_at, script_name, runtime, size, parallel, labels";

  private BatchColumns() {}

  /**
   * Checks the arguments of {@link dev.rgrid.spi.store.BatchStore#listBatches} the same way for
   * every store.
   *
   * @throws IllegalArgumentException when {@code limit} is not between 1 and 1000
   */
  public static void checkListing(Map<String, String> labels, int limit) {
    java.util.Objects.requireNonNull(labels, "labels");
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
    }
  }

  /**
   * The batch {@code id} in the current row, which has the {@link #COLUMNS} (by name).
   *
   * @throws JsonProcessingException when its labels cannot be decoded
   */
  public static BatchRecord read(BatchId id, ResultSet rs)
      throws SQLException, JsonProcessingException {
    return new BatchRecord(id, NanoInstants.fromColumn(rs.getLong("created_at")),
        rs.getString("script_name"), rs.getString("runtime"), rs.getInt("size"),
        rs.getInt("parallel"), StoreJson.decodeLabels(rs.getString("labels")));
  }

  /**
   * Adds up the executions of one batch, one status at a time (a {@code GROUP BY status} row
   * each), into its summary. Not thread-safe: one per summary.
   */
  public static final class Summing {
    private final Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
    private long cached;
    private long cost;
    private Instant last;

    /**
     * Adds the {@code count} executions in {@code status}, of which {@code cached} were cache
     * hits, costing {@code costMicros} together, the last of them finished at {@code
     * lastFinished} ({@code null} when none has).
     *
     * @throws ArithmeticException when the cost overflows a long
     */
    public Summing add(ExecutionStatus status, long count, long cached, long costMicros,
        Instant lastFinished) {
      counts.merge(status, count, Long::sum);
      this.cached += cached;
      cost = Math.addExact(cost, costMicros);
      if (lastFinished != null && (last == null || lastFinished.isAfter(last))) {
        last = lastFinished;
      }
      return this;
    }

    /** The summary of batch {@code id} from what was added. */
    public BatchSummary summary(BatchId id) {
      return new BatchSummary(id, counts, cached, cost, last);
    }
  }
}
