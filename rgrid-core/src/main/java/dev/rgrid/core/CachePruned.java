package dev.rgrid.core;

import dev.rgrid.spi.store.CacheEntry;
import java.util.List;

/**
 * What {@link CachedResults#prune} or {@link CachedResults#clear} removed from the result cache, and what is left.
 *
 * @param removed the entries removed (their executions stay, with their outputs)
 * @param kept how many entries remain
 * @param keptBytes the size of the entries that remain
 */
public record CachePruned(List<CacheEntry> removed, int kept, long keptBytes) {
  /** Copies the list. */
  public CachePruned {
    removed = List.copyOf(removed);
  }

  /** The total size of the removed entries. */
  public long removedBytes() {
    return removed.stream().mapToLong(CacheEntry::sizeBytes).sum();
  }
}
