package dev.rgrid.store.sql;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ArtifactStore;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchStore;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.CacheEntryStore;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStore;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.OutboxAlert;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import dev.rgrid.spi.store.SecretStore;
import dev.rgrid.spi.store.SpendingStore;
import dev.rgrid.spi.store.StoredSecret;
import dev.rgrid.spi.store.StoredWebhook;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A {@link MetadataStore} joined from one implementation per concern, so that a store is written
 * as one small class per concern and never as one that forwards thirty methods by hand. Each call goes to
 * the part that owns it; {@link #close()} closes what the store was given to close.
 */
public final class ComposedMetadataStore implements MetadataStore {
  private final ExecutionStore executions;
  private final LogStore logs;
  private final ArtifactStore artifacts;
  private final CacheEntryStore cache;
  private final SpendingStore spending;
  private final BatchStore batches;
  private final SecretStore secrets;
  private final RetentionStore retention;
  private final AlertStore alerts;
  private final AutoCloseable onClose;

  /**
   * Joins the parts; {@code onClose} runs on {@link #close()} (its failure leaves as an unchecked
   * exception).
   */
  public ComposedMetadataStore(ExecutionStore executions, LogStore logs, ArtifactStore artifacts,
      CacheEntryStore cache, SpendingStore spending, BatchStore batches, SecretStore secrets,
      RetentionStore retention, AlertStore alerts, AutoCloseable onClose) {
    this.executions = Objects.requireNonNull(executions, "executions");
    this.logs = Objects.requireNonNull(logs, "logs");
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.spending = Objects.requireNonNull(spending, "spending");
    this.batches = Objects.requireNonNull(batches, "batches");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.alerts = Objects.requireNonNull(alerts, "alerts");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
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
  public ExecutionRecord get(ExecutionId id) {
    return executions.get(id);
  }

  @Override
  public ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    return executions.update(id, expected, change);
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    return executions.list(query);
  }

  @Override
  public AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    return executions.subscribeChanges(onChange);
  }

  @Override
  public void appendLogs(ExecutionId id, List<LogLine> lines) {
    logs.appendLogs(id, lines);
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return logs.logs(id, afterSeq, limit);
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    return logs.lastLogSeq(id);
  }

  @Override
  public void putArtifacts(ExecutionId id, List<Artifact> list) {
    artifacts.putArtifacts(id, list);
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    return artifacts.artifacts(id);
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    return artifacts.removeArtifacts(id);
  }

  @Override
  public void putCacheEntry(CacheEntry entry) {
    cache.putCacheEntry(entry);
  }

  @Override
  public Optional<CacheEntry> useCacheEntry(String key, Instant now) {
    return cache.useCacheEntry(key, now);
  }

  @Override
  public List<CacheEntry> cacheEntries(int limit) {
    return cache.cacheEntries(limit);
  }

  @Override
  public int removeCacheEntries(Collection<String> keys) {
    return cache.removeCacheEntries(keys);
  }

  @Override
  public long spentMicros(String scope, Instant since, Instant until) {
    return spending.spentMicros(scope, since, until);
  }

  @Override
  public Optional<LimitSetting> spendingLimit(String scope) {
    return spending.spendingLimit(scope);
  }

  @Override
  public void setSpendingLimit(String scope, LimitSetting limit) {
    spending.setSpendingLimit(scope, limit);
  }

  @Override
  public boolean raiseLimitAlert(String scope, String month, int thresholdPercent, Instant at) {
    return spending.raiseLimitAlert(scope, month, thresholdPercent, at);
  }

  @Override
  public void createBatch(BatchRecord batch) {
    batches.createBatch(batch);
  }

  @Override
  public Optional<BatchRecord> findBatch(BatchId id) {
    return batches.findBatch(id);
  }

  @Override
  public List<BatchRecord> listBatches(Map<String, String> labels, BatchId before, int limit) {
    return batches.listBatches(labels, before, limit);
  }

  @Override
  public boolean removeEmptyBatch(BatchId id) {
    return batches.removeEmptyBatch(id);
  }

  @Override
  public BatchSummary batchSummary(BatchId id) {
    return batches.batchSummary(id);
  }

  @Override
  public void putSecret(StoredSecret secret) {
    secrets.putSecret(secret);
  }

  @Override
  public Optional<StoredSecret> findSecret(String scope, String name) {
    return secrets.findSecret(scope, name);
  }

  @Override
  public List<StoredSecret> secrets(String scope) {
    return secrets.secrets(scope);
  }

  @Override
  public List<StoredSecret> secretsNotUnder(String keyId, int limit) {
    return secrets.secretsNotUnder(keyId, limit);
  }

  @Override
  public boolean replaceSecret(StoredSecret current, StoredSecret replacement) {
    return secrets.replaceSecret(current, replacement);
  }

  @Override
  public boolean removeSecret(String scope, String name) {
    return secrets.removeSecret(scope, name);
  }

  @Override
  public List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit,
      RetentionScope scope) {
    return retention.endedBefore(cutoff, after, limit, scope);
  }

  @Override
  public void setRetentionDays(AccountId account, Integer days) {
    retention.setRetentionDays(account, days);
  }

  @Override
  public Map<AccountId, Integer> retentionDays() {
    return retention.retentionDays();
  }

  @Override
  public Removal removeEnded(Collection<ExecutionId> ids, Instant cutoff, boolean dryRun) {
    return retention.removeEnded(ids, cutoff, dryRun);
  }

  @Override
  public BlobReferences blobReferences(ExecutionId after, Instant skipEndedBefore, int limit) {
    return retention.blobReferences(after, skipEndedBefore, limit);
  }

  @Override
  public Optional<AutoCloseable> tryLockCollection() {
    return retention.tryLockCollection();
  }

  @Override
  public void putWebhook(StoredWebhook webhook) {
    alerts.putWebhook(webhook);
  }

  @Override
  public Optional<StoredWebhook> findWebhook(String scope) {
    return alerts.findWebhook(scope);
  }

  @Override
  public List<StoredWebhook> webhooks() {
    return alerts.webhooks();
  }

  @Override
  public boolean replaceWebhook(StoredWebhook current, StoredWebhook replacement) {
    return alerts.replaceWebhook(current, replacement);
  }

  @Override
  public boolean removeWebhook(String scope) {
    return alerts.removeWebhook(scope);
  }

  @Override
  public boolean offerAlert(OutboxAlert alert) {
    return alerts.offerAlert(alert);
  }

  @Override
  public Optional<OutboxAlert> findAlert(String id) {
    return alerts.findAlert(id);
  }

  @Override
  public List<OutboxAlert> dueAlerts(Instant now, int limit) {
    return alerts.dueAlerts(now, limit);
  }

  @Override
  public boolean claimAlert(OutboxAlert due, Instant leaseUntil) {
    return alerts.claimAlert(due, leaseUntil);
  }

  @Override
  public boolean settleAlert(String id, int attempt, OutboxAlert.Status status,
      Instant nextAttemptAt, String error) {
    return alerts.settleAlert(id, attempt, status, nextAttemptAt, error);
  }

  @Override
  public void close() {
    try {
      onClose.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RGridException("closing the metadata store failed: " + e.getMessage(), null, null,
          e);
    }
  }
}
