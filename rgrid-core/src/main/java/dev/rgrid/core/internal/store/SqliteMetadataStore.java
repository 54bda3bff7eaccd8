package dev.rgrid.core.internal.store;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The {@link MetadataStore} on an embedded {@link SqliteDatabase}, one class per concern behind
 * it: {@link SqliteExecutions}, {@link SqliteLogs}, {@link SqliteArtifacts}, {@link
 * SqliteCacheEntries}, {@link SqliteLimits} and {@link SqliteBatches}. It announces changes to
 * followers in this process; SQLite has no cross-process push, so followers elsewhere poll.
 */
final class SqliteMetadataStore extends SqliteView implements MetadataStore {
  private final SqliteExecutions executions = new SqliteExecutions(this);
  private final SqliteLogs logs = new SqliteLogs(this);
  private final SqliteArtifacts artifacts = new SqliteArtifacts(this);
  private final SqliteCacheEntries cache = new SqliteCacheEntries(this);
  private final SqliteLimits limits = new SqliteLimits(this);
  private final SqliteBatches batches = new SqliteBatches(this);
  private final ChangeFollowers followers = new ChangeFollowers();

  SqliteMetadataStore(SqliteDatabase db) {
    super(db);
  }

  @Override
  public void create(ExecutionRecord record) {
    executions.create(record);
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
    return executions.find(id);
  }

  @Override
  public ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    ExecutionRecord next = executions.update(id, expected, change);
    followers.tell(id); // after the write committed
    return next;
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    return executions.list(query);
  }

  @Override
  public AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    return followers.add(onChange);
  }

  @Override
  public void appendLogs(ExecutionId id, List<LogLine> lines) {
    if (logs.append(id, lines)) {
      followers.tell(id);
    }
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return logs.page(id, afterSeq, limit);
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    return logs.lastSeq(id);
  }

  @Override
  public void putArtifacts(ExecutionId id, List<Artifact> artifacts) {
    this.artifacts.put(id, artifacts);
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    return artifacts.list(id);
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    return artifacts.remove(id);
  }

  @Override
  public void putCacheEntry(CacheEntry entry) {
    cache.put(entry);
  }

  @Override
  public Optional<CacheEntry> useCacheEntry(String key, Instant now) {
    return cache.use(key, now);
  }

  @Override
  public List<CacheEntry> cacheEntries(int limit) {
    return cache.list(limit);
  }

  @Override
  public int removeCacheEntries(Collection<String> keys) {
    return cache.remove(keys);
  }

  @Override
  public long spentMicros(String scope, Instant since, Instant until) {
    return limits.spent(scope, since, until);
  }

  @Override
  public Optional<LimitSetting> spendingLimit(String scope) {
    return limits.limit(scope);
  }

  @Override
  public void setSpendingLimit(String scope, LimitSetting limit) {
    limits.setLimit(scope, limit);
  }

  @Override
  public boolean raiseLimitAlert(String scope, String month, int thresholdPercent, Instant at) {
    return limits.raise(scope, month, thresholdPercent, at);
  }

  @Override
  public void createBatch(BatchRecord batch) {
    batches.create(batch);
  }

  @Override
  public Optional<BatchRecord> findBatch(BatchId id) {
    return batches.find(id);
  }

  @Override
  public BatchSummary batchSummary(BatchId id) {
    return batches.summary(id);
  }
}
