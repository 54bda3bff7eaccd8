package dev.rgrid.backend.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
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
import dev.rgrid.store.sql.ExecutionColumns;
import dev.rgrid.store.sql.StoreJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The {@link MetadataStore} on PostgreSQL, shared by any number of processes: executions here
 * (their updates in {@link PgRecordUpdates}); log lines, artifacts, the result cache, spending and
 * batches in {@link PgLogs}, {@link PgArtifacts}, {@link PgCacheEntries}, {@link PgLimits} and
 * {@link PgBatches}. Every driver error leaves as
 * the SPI's exception (see {@link PgErrors}). The connection pool belongs to the backend, so
 * {@link #close()} does nothing.
 */
public final class PgMetadataStore implements MetadataStore {
  private static final String SELECT = "SELECT " + ExecutionRows.COLUMNS + " FROM executions";
  static final String NO_EXECUTION_HINT = "run `rgrid list` to see the known executions";

  private final Jdbi jdbi;
  private final PgErrors errors;
  private final PgLogs logs;
  private final PgArtifacts artifactRows;
  private final PgCacheEntries cache;
  private final PgLimits limits;
  private final PgBatches batches;
  /** Log lines and record changes, announced on their own channel (payload: the execution id). */
  private final PgNotifications changes;
  private final PgRecordUpdates updates;
  private static final String CHANGES = "rgrid_changes";
  private static final String NOTIFY = "SELECT pg_notify('" + CHANGES + "', :id)";

  /** A store on the migrated database of {@code jdbi}; {@code settings} name it in errors. */
  public PgMetadataStore(Jdbi jdbi, PostgresSettings settings) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.errors = new PgErrors(Objects.requireNonNull(settings, "settings"));
    this.artifactRows = new PgArtifacts(jdbi, errors);
    this.cache = new PgCacheEntries(jdbi, errors);
    this.limits = new PgLimits(jdbi, errors);
    this.batches = new PgBatches(jdbi, errors);
    this.logs = new PgLogs(jdbi, errors, NOTIFY);
    this.changes = new PgNotifications(settings, CHANGES);
    this.updates = new PgRecordUpdates(jdbi, errors, this::decode, CHANGES);
  }

  @Override
  public AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return changes.subscribePayloads(payload -> onChange.accept(parsed(payload)));
  }

  private static ExecutionId parsed(String payload) {
    try {
      return payload == null ? null : ExecutionId.of(payload);
    } catch (IllegalArgumentException e) {
      return null; // not ours: look at everything
    }
  }

  @Override
  public void create(ExecutionRecord record) {
    Objects.requireNonNull(record, "record");
    int inserted = errors.call("storing execution " + record.id(), () -> jdbi.withHandle(h ->
        ExecutionRows.bindInsert(h.createUpdate(ExecutionRows.INSERT), record).execute()));
    if (inserted == 0) {
      throw new ConflictException("execution " + record.id() + " already exists");
    }
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading execution " + id, () -> updates.find(id));
  }

  @Override
  public ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(change, "change");
    return updates.update(id, expected, change);
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    Objects.requireNonNull(query, "query");
    // Only fixed conditions are added to the SQL; every value travels as a parameter. Statuses
    // go as one array and labels as one JSON object, so the statement text depends only on which
    // filters are set (and the planner can use the GIN index on labels for @>).
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE true");
    if (!query.statuses().isEmpty()) {
      sql.append(" AND status = ANY(:statuses)");
    }
    if (query.batchId() != null) {
      sql.append(" AND batch_id = :batch_id");
    }
    if (query.before() != null) {
      sql.append(" AND id < :before");
    }
    if (!query.labels().isEmpty()) {
      sql.append(" AND labels @> CAST(:labels AS jsonb)");
    }
    // One extra row tells whether another page follows without a second query.
    sql.append(" ORDER BY id DESC LIMIT :limit");
    List<ExecutionRecord> items = errors.call("listing executions", () -> jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("limit", query.limit() + 1);
      if (!query.statuses().isEmpty()) {
        q.bindArray("statuses", String.class,
            query.statuses().stream().map(Enum::name).toArray());
      }
      if (query.batchId() != null) {
        q.bind("batch_id", query.batchId());
      }
      if (query.before() != null) {
        q.bind("before", query.before().value());
      }
      if (!query.labels().isEmpty()) {
        q.bind("labels", StoreJson.encodeLabels(query.labels()));
      }
      return q.map((rs, ctx) -> decode(rs)).list();
    }));
    if (items.size() <= query.limit()) {
      return new ExecutionPage(items, null);
    }
    List<ExecutionRecord> page = items.subList(0, query.limit());
    return new ExecutionPage(page, page.get(page.size() - 1).id());
  }

  @Override
  public void appendLogs(ExecutionId id, List<LogLine> lines) {
    logs.append(id, lines);
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
    artifactRows.put(id, artifacts);
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    return artifactRows.remove(id);
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    return artifactRows.list(id);
  }

  private ExecutionRecord decode(ResultSet rs) throws SQLException {
    try {
      return ExecutionColumns.read(rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or one changed by hand): say which, never guess.
      throw errors.unreadable("execution " + rs.getString("id"), e);
    }
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

  /** Stops listening for changes; the pool belongs to the backend, which closes it. */
  @Override
  public void close() {
    changes.close(); // the pool is the backend's
  }
}
