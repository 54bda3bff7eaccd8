package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.cacheKey;
import static dev.rgrid.spi.tck.Fixtures.key;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.CacheEntryStore;
import dev.rgrid.spi.store.ExecutionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CacheEntryStore} passes: entries are used, replaced, listed by last
 * use and removed; malformed keys and limits are refused. Extend it and return a fresh, empty
 * store (see {@link MetadataStoreFixture}).
 */
public abstract class CacheEntryStoreContract extends MetadataStoreFixture {
  @Test
  void returnsAUsedCacheEntryWithTheHitCountedAndTheUseTimed() {
    CacheEntry entry = cacheEntry(1, T0);
    store.putCacheEntry(entry);
    Instant now = T0.plusSeconds(90).plusMillis(7);
    assertThat(store.useCacheEntry(entry.key(), now)).contains(used(entry, now, 1));
    Instant later = now.plusSeconds(1);
    assertThat(store.useCacheEntry(entry.key(), later)).contains(used(entry, later, 2));
    assertThat(store.cacheEntries(10)).containsExactly(used(entry, later, 2));
  }

  @Test
  void findsNoCacheEntryForAnUnknownKeyAndStoresNothing() {
    CacheEntry entry = cacheEntry(1, T0);
    store.putCacheEntry(entry);
    assertThat(store.useCacheEntry(cacheKey(2), T0.plusSeconds(1))).isEmpty();
    assertThat(store.cacheEntries(10)).containsExactly(entry);
  }

  @Test
  void replacesACacheEntryPutAgainUnderItsKey() {
    CacheEntry first = cacheEntry(1, T0);
    store.putCacheEntry(first);
    store.useCacheEntry(first.key(), T0.plusSeconds(1));
    CacheEntry second = new CacheEntry(first.key(), Fixtures.id(T0), "python3.12", "other.py",
        1L << 40, T0.plusSeconds(5), T0.plusSeconds(5), 0);
    store.putCacheEntry(second);
    assertThat(store.cacheEntries(10)).containsExactly(second);
    assertThat(store.useCacheEntry(first.key(), T0.plusSeconds(6)))
        .contains(used(second, T0.plusSeconds(6), 1));
  }

  @Test
  void listsCacheEntriesMostRecentlyUsedFirstUpToTheLimit() {
    CacheEntry a = cacheEntry(1, T0);
    CacheEntry b = cacheEntry(2, T0.plusSeconds(1));
    CacheEntry c = cacheEntry(3, T0.plusSeconds(2));
    List.of(a, b, c).forEach(store::putCacheEntry);
    assertThat(keys(store.cacheEntries(10))).containsExactly(c.key(), b.key(), a.key());
    store.useCacheEntry(a.key(), T0.plusSeconds(10));
    assertThat(keys(store.cacheEntries(10))).containsExactly(a.key(), c.key(), b.key());
    assertThat(keys(store.cacheEntries(2))).containsExactly(a.key(), c.key());
    assertThat(keys(store.cacheEntries(1))).containsExactly(a.key());
  }

  @Test
  void removesOnlyTheNamedCacheEntriesAndLeavesTheirExecutions() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    CacheEntry a = new CacheEntry(cacheKey(1), r.id(), "python3.11", "job.py", 10, T0, T0, 0);
    CacheEntry b = cacheEntry(2, T0.plusSeconds(1));
    CacheEntry c = cacheEntry(3, T0.plusSeconds(2));
    List.of(a, b, c).forEach(store::putCacheEntry);
    assertThat(store.removeCacheEntries(List.of(a.key(), c.key(), cacheKey(4)))).isEqualTo(2);
    assertThat(store.cacheEntries(10)).containsExactly(b);
    assertThat(store.useCacheEntry(a.key(), T0.plusSeconds(3))).isEmpty();
    assertThat(store.find(r.id())).contains(r);
    assertThat(store.removeCacheEntries(List.of(a.key()))).isZero();
    assertThat(store.removeCacheEntries(List.of())).isZero();
    assertThat(store.cacheEntries(10)).containsExactly(b);
  }

  @Test
  void removesMoreCacheEntriesAtOnceThanOneStatementComfortablyTakes() {
    List<String> doomed = new ArrayList<>();
    for (int i = 1; i <= 1_201; i++) {
      CacheEntry e = cacheEntry(i, T0.plusMillis(i));
      store.putCacheEntry(e);
      if (i != 600) {
        doomed.add(e.key());
      }
    }
    assertThat(store.cacheEntries(100_000)).hasSize(1_201);
    assertThat(store.removeCacheEntries(doomed)).isEqualTo(1_200);
    assertThat(keys(store.cacheEntries(100_000))).containsExactly(cacheKey(600));
  }

  @Test
  void refusesMalformedCacheKeysWithAClearMessage() {
    String upper = cacheKey(1).replace('0', 'A');
    for (String bad : List.of("", "abc", upper, cacheKey(1) + "0", "' OR '1'='1",
        "%".repeat(64), cacheKey(1).substring(1) + "\n")) {
      assertThatThrownBy(() -> store.useCacheEntry(bad, T0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache key");
      assertThatThrownBy(() -> store.removeCacheEntries(List.of(cacheKey(1), bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache key");
      assertThatThrownBy(() -> new CacheEntry(bad, Fixtures.id(T0), "python3.11", "job.py", 0, T0,
          T0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void refusesACacheListingLimitThatIsZeroNegativeOrHuge() {
    for (int bad : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> store.cacheEntries(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }
    assertThat(store.cacheEntries(100_000)).isEmpty();
  }

  /** An unused entry recorded at {@code at}. */
  private static CacheEntry cacheEntry(int n, Instant at) {
    return new CacheEntry(cacheKey(n), Fixtures.id(at), "python3.11", "job" + n + ".py",
        1_000L * n, at, at, 0);
  }

  private static CacheEntry used(CacheEntry e, Instant at, long hits) {
    return new CacheEntry(e.key(), e.executionId(), e.runtime(), e.scriptName(), e.sizeBytes(),
        e.createdAt(), at, hits);
  }

  private static List<String> keys(List<CacheEntry> entries) {
    return entries.stream().map(CacheEntry::key).toList();
  }
}
