package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The result cache's entries: which execution's outputs serve a cache key. Part of {@link
 * MetadataStore}; removing an entry leaves its execution stored. Every method may throw {@link
 * BackendUnavailableException}, and {@link IllegalArgumentException} for a key that is not a
 * {@linkplain CacheEntry#isKey cache key}.
 */
public interface CacheEntryStore {

  /** Records {@code entry} in the result cache, replacing an entry with the same key. */
  void putCacheEntry(CacheEntry entry);

  /**
   * The result cache's entry for {@code key}, if any; a found entry is marked used at {@code now}
   * (last use, hits + 1), in the same transaction.
   */
  Optional<CacheEntry> useCacheEntry(String key, Instant now);

  /**
   * The result cache's entries, most recently used first, at most {@code limit}.
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to 100,000
   */
  List<CacheEntry> cacheEntries(int limit);

  /**
   * Removes the entries of {@code keys} from the result cache (their executions stay).
   *
   * @return how many were removed
   */
  int removeCacheEntries(Collection<String> keys);
}
