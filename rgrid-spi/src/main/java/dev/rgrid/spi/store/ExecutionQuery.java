package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.util.Map;
import java.util.Set;

/**
 * A filter over executions, newest first.
 *
 * @param statuses keep only these statuses (empty: all)
 * @param labels keep only executions carrying every one of these labels
 * @param batchId keep only this batch, or {@code null}
 * @param before page cursor: keep only ids before this one (exclusive), or {@code null}
 * @param limit at most this many (1 to 1000)
 */
public record ExecutionQuery(
    Set<ExecutionStatus> statuses,
    Map<String, String> labels,
    String batchId,
    ExecutionId before,
    int limit) {

  /** Checks the values. */
  public ExecutionQuery {
    statuses = Set.copyOf(statuses);
    labels = Map.copyOf(labels);
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
    }
  }

  /** The newest {@code limit} executions, unfiltered. */
  public static ExecutionQuery latest(int limit) {
    return new ExecutionQuery(Set.of(), Map.of(), null, null, limit);
  }
}
