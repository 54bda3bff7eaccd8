package dev.rgrid.core.internal.cache;

import dev.rgrid.core.CachePruned;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result cache: computes a run's key, hands out the result of an earlier identical success,
 * records successes for reuse, lists and prunes entries. Failures are never recorded.
 */
public final class ResultCache {
  /** Most entries one listing or prune looks at. */
  static final int MAX_ENTRIES = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(ResultCache.class);

  private final MetadataStore store;
  private final BlobStore blobs;
  private final ContainerRuntime runtime;
  private final RuntimeCatalog catalog;
  private final Clock clock;
  private final SecretVault secrets;
  private final EngineMetrics metrics;

  /**
   * The cache over the entries in {@code store}, keying runs by their runtime's identity in
   * {@code runtime} (resolved in {@code catalog}) and their secrets' values hashed by {@code
   * secrets}, and sizing entries by their blobs; lookups are counted in {@code metrics}.
   */
  public ResultCache(MetadataStore store, BlobStore blobs, ContainerRuntime runtime,
      RuntimeCatalog catalog, Clock clock, SecretVault secrets, EngineMetrics metrics) {
    this.secrets = secrets;
    this.store = store;
    this.blobs = blobs;
    this.runtime = runtime;
    this.catalog = catalog;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Gives {@code listener} the output of {@code hit}, the result reused for an execution. */
  public void replay(ExecutionRecord hit, ExecutionListener listener) {
    Replay.output(store, blobs, hit, listener);
  }

  /**
   * The key of {@code record}'s spec, or {@code null} when its runtime cannot be prepared here
   * (the run then fails or succeeds uncached; nothing wrong is ever reused).
   */
  public String key(ExecutionRecord record) {
    try {
      RuntimeDefinition def = catalog.resolve(record.spec().runtime());
      runtime.prepare(def);
      return CacheKeys.result(record.spec(), runtime.identity(def), secrets.digest(
          SecretVault.scopeOf(record.spec()), record.spec().secrets()));
    } catch (RuntimeUnavailableException | BackendUnavailableException e) {
      LOG.debug("no cache key for {}: {}", record.id(), e.getMessage());
      return null;
    }
  }

  /**
   * Finishes {@code queued} at once from an earlier success with the same key, when there is one:
   * stored as {@code SUCCEEDED}, {@code cached=true}, linked to the execution it reuses, with that
   * execution's exit code, exact output and artifacts.
   */
  public Optional<ExecutionRecord> hit(ExecutionRecord queued) {
    String key = queued.cacheKey();
    if (key == null || !queued.spec().cache()) {
      return Optional.empty();
    }
    Optional<ExecutionRecord> hit = reuse(queued, key);
    metrics.cacheLookup(hit.isPresent());
    return hit;
  }

  /**
   * The earlier success kept under {@code key} (a chained run, keyed as it starts, ends from it
   * without running), its use counted; empty when there is none.
   */
  public Optional<ExecutionRecord> reusable(String key) {
    Optional<ExecutionRecord> found = original(key, clock.instant());
    metrics.cacheLookup(found.isPresent());
    return found;
  }

  private Optional<ExecutionRecord> original(String key, Instant now) {
    Optional<CacheEntry> entry = store.useCacheEntry(key, now);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    ExecutionRecord original = store.find(entry.get().executionId()).orElse(null);
    if (original == null || original.status() != ExecutionStatus.SUCCEEDED) {
      store.removeCacheEntries(List.of(key)); // its execution is gone: a stale entry
      return Optional.empty();
    }
    return Optional.of(original);
  }

  private Optional<ExecutionRecord> reuse(ExecutionRecord queued, String key) {
    Instant now = clock.instant();
    ExecutionRecord original = original(key, now).orElse(null);
    if (original == null) {
      return Optional.empty();
    }
    ExecutionRecord done = queued.toBuilder().cachedFrom(original.id())
        .exitCode(original.exitCode()).stdout(original.stdout()).stderr(original.stderr())
        .logTruncated(original.logTruncated()).startedAt(now)
        .transition(ExecutionStatus.SUCCEEDED, now).build();
    store.create(done);
    List<Artifact> artifacts = store.artifacts(original.id());
    if (!artifacts.isEmpty()) {
      store.putArtifacts(done.id(), artifacts);
    }
    return Optional.of(done);
  }

  /** Keeps {@code done} (a success) for reuse, when it is cacheable. */
  public void remember(ExecutionRecord done, List<Artifact> artifacts) {
    if (done.cacheKey() == null || !done.spec().cache() || done.cached()
        || done.status() != ExecutionStatus.SUCCEEDED) {
      return;
    }
    long size = artifacts.stream().mapToLong(Artifact::size).sum() + blobSize(done.stdout())
        + blobSize(done.stderr());
    Instant now = clock.instant();
    store.putCacheEntry(new CacheEntry(done.cacheKey(), done.id(), done.spec().runtime(),
        done.spec().scriptName(), size, now, now, 0));
  }

  /** The entries, most recently used first. */
  public List<CacheEntry> entries(int limit) {
    return store.cacheEntries(Math.min(limit, MAX_ENTRIES));
  }

  /**
   * Removes the entries not used within {@code olderThan} (when given), then the least recently
   * used until the rest fit in {@code maxBytes} (when given). The executions stay, with their
   * outputs: only their reuse ends.
   */
  public CachePruned prune(Duration olderThan, Long maxBytes) {
    List<CacheEntry> all = store.cacheEntries(MAX_ENTRIES); // most recently used first
    Instant cutoff = olderThan == null ? null : clock.instant().minus(olderThan);
    List<CacheEntry> remove = new ArrayList<>();
    List<CacheEntry> keep = new ArrayList<>();
    for (CacheEntry e : all) {
      (cutoff != null && e.lastUsedAt().isBefore(cutoff) ? remove : keep).add(e);
    }
    if (maxBytes != null) {
      long total = 0;
      List<CacheEntry> fit = new ArrayList<>();
      for (CacheEntry e : keep) {
        if (total + e.sizeBytes() <= maxBytes) {
          total += e.sizeBytes();
          fit.add(e);
        } else {
          remove.add(e);
        }
      }
      keep = fit;
    }
    store.removeCacheEntries(remove.stream().map(CacheEntry::key).toList());
    return new CachePruned(remove, keep.size(),
        keep.stream().mapToLong(CacheEntry::sizeBytes).sum());
  }

  /**
   * Removes every entry, however many there are and whatever their size (an entry of a run with
   * no output takes 0 bytes, so no size budget removes it). The executions stay.
   */
  public CachePruned clear() {
    List<CacheEntry> removed = new ArrayList<>();
    while (true) {
      // A listing holds at most MAX_ENTRIES: remove page by page until none is left.
      List<CacheEntry> page = store.cacheEntries(MAX_ENTRIES);
      if (page.isEmpty()) {
        return new CachePruned(removed, 0, 0);
      }
      store.removeCacheEntries(page.stream().map(CacheEntry::key).toList());
      removed.addAll(page);
    }
  }

  /** The execution whose logs {@code record} shows: the reused one for a cache hit. */
  public static ExecutionId logSource(ExecutionRecord record) {
    return record.cachedFrom() != null ? record.cachedFrom() : record.id();
  }

  private long blobSize(BlobKey key) {
    if (key == null) {
      return 0;
    }
    try {
      return blobs.size(key).orElse(0L);
    } catch (RuntimeException e) {
      return 0; // sizes are for listings; a missing blob must not fail a run
    }
  }
}
