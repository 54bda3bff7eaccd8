package dev.rgrid.spi.store;

import dev.rgrid.spi.BatchId;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the executions of a batch stand, counting only the latest of each retry chain (an execution
 * that was retried is replaced by its retry).
 *
 * @param id the batch
 * @param counts how many executions are in each status (statuses with none may be missing)
 * @param cached how many of the successes reused a cached result
 * @param costMicros the summed cost of the ended executions
 * @param lastFinished when the latest of them ended, or {@code null} if none has
 */
public record BatchSummary(BatchId id, Map<ExecutionStatus, Long> counts, long cached,
    long costMicros, Instant lastFinished) {

  /** Checks the values and copies the counts. */
  public BatchSummary {
    Objects.requireNonNull(id, "id");
    EnumMap<ExecutionStatus, Long> copy = new EnumMap<>(ExecutionStatus.class);
    counts.forEach((status, n) -> {
      if (n < 0) {
        throw new IllegalArgumentException("negative count for " + status);
      }
      if (n > 0) {
        copy.put(status, n);
      }
    });
    counts = java.util.Collections.unmodifiableMap(copy);
  }

  /** How many executions are in {@code status}. */
  public long count(ExecutionStatus status) {
    return counts.getOrDefault(status, 0L);
  }

  /** How many executions are counted in all. */
  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
