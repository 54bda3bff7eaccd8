package dev.rgrid.spi.store;

import dev.rgrid.spi.BatchId;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link RetentionStore#removeEnded} removed (or, in a dry run, would remove).
 *
 * @param executions execution records
 * @param logLines their log lines
 * @param artifacts their artifact entries
 * @param cacheEntries cache entries that pointed at them
 * @param batches batches left without executions
 */
public record Removal(int executions, long logLines, int artifacts, int cacheEntries,
    List<BatchId> batches) {
  /** Nothing removed. */
  public static final Removal NONE = new Removal(0, 0, 0, 0, List.of());

  /** Checks the values. */
  public Removal {
    if (executions < 0 || logLines < 0 || artifacts < 0 || cacheEntries < 0) {
      throw new IllegalArgumentException("negative count");
    }
    batches = List.copyOf(Objects.requireNonNull(batches, "batches"));
  }
}
