package dev.rgrid.core;

import dev.rgrid.spi.store.CacheEntry;
import java.time.Duration;
import java.util.List;

/**
 * The result cache of an {@link RGrid} ({@link RGrid#cache()}): successful executions whose
 * results later identical runs reuse. Removing entries never removes executions or their outputs;
 * later identical runs simply run again.
 */
public interface CachedResults {
  /** Most entries {@link #entries} lists at once. */
  int MAX_LISTED = 100_000;

  /**
   * The entries, most recently used first: at most {@code limit}, and never more than {@link
   * #MAX_LISTED}.
   *
   * @throws IllegalArgumentException when {@code limit} is not positive
   */
  List<CacheEntry> entries(int limit);

  /**
   * Removes the entries not used within {@code olderThan} (when not null), then the least
   * recently used until the rest take at most {@code maxBytes} (when not null).
   *
   * @throws IllegalArgumentException for a negative age or size
   */
  CachePruned prune(Duration olderThan, Long maxBytes);

  /**
   * Removes every entry, empty ones included (a run without output makes an entry of 0 bytes,
   * which {@code prune(null, 0L)} keeps since it fits).
   */
  CachePruned clear();
}
