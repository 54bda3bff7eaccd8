package dev.rgrid.backend.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
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
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The {@link MetadataStore} on PostgreSQL, shared by any number of processes: executions and
 * their log lines here; artifacts, the result cache, spending and batches in {@link PgArtifacts},
 * {@link PgCacheEntries}, {@link PgLimits} and {@link PgBatches}. Every driver error leaves as
 * the SPI's exception (see {@link PgErrors}). The connection pool belongs to the backend, so
 * {@link #close()} does nothing.
 */
public final class PgMetadataStore implements MetadataStore {
  private static final String SELECT = "SELECT " + ExecutionRows.COLUMNS + " FROM executions";
  static final String NO_EXECUTION_HINT = "run `rgrid list` to see the known executions";

  private final Jdbi jdbi;
  private final PgErrors errors;
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
    this.changes = new PgNotifications(settings, CHANGES);
    this.updates = new PgRecordUpdates(jdbi, errors, this::decode, CHANGES);
  }

  @Override
  public AutoCloseable subscribeChanges(java.util.function.Consumer<ExecutionId> onChange) {
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
        q.bind("labels", Json.encodeLabels(query.labels()));
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
    Objects.requireNonNull(id, "id");
    if (lines.isEmpty()) {
      return;
    }
    errors.run("appending log lines of execution " + id, () -> jdbi.useTransaction(h -> {
      requireExists(h, id);
      // DO NOTHING keeps the first copy of an (execution, seq) pair, so resent lines vanish.
      PreparedBatch batch = h.prepareBatch("INSERT INTO log_lines (execution_id, seq, stream, at,"
          + " text) VALUES (:execution_id, :seq, :stream, :at, :text) ON CONFLICT DO NOTHING");
      for (LogLine line : lines) {
        batch.bind("execution_id", id.value()).bind("seq", line.seq())
            .bind("stream", line.stream().name()).bind("at", PgInstants.toColumn(line.at()))
            .bind("text", storable(line.text())).add();
      }
      batch.execute();
      h.createQuery(NOTIFY).bind("id", id.value()).mapTo(String.class).one();
    }));
  }

  /**
   * {@code text} without NUL characters, which PostgreSQL text cannot hold: a script that prints
   * one must not lose its whole log, so each becomes U+FFFD, as undecodable output does.
   */
  private static String storable(String text) {
    return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    Objects.requireNonNull(id, "id");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    return errors.call("reading log lines of execution " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT seq, stream, at, text FROM log_lines WHERE execution_id = :id"
                + " AND seq > :after ORDER BY seq LIMIT :limit")
            .bind("id", id.value()).bind("after", afterSeq).bind("limit", limit)
            .map((rs, ctx) -> new LogLine(rs.getLong("seq"),
                LogStream.valueOf(rs.getString("stream")),
                PgInstants.fromColumn(rs.getLong("at")), rs.getString("text")))
            .list()));
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading the log of execution " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT coalesce(max(seq), 0) FROM log_lines WHERE execution_id = :id")
            .bind("id", id.value()).mapTo(Long.class).one()));
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

  private Optional<ExecutionRecord> load(Query query, ExecutionId id) {
    return query.bind("id", id.value()).map((rs, ctx) -> decode(rs)).findOne();
  }

  private ExecutionRecord decode(ResultSet rs) throws SQLException {
    try {
      return ExecutionRows.read(rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or one changed by hand): say which, never guess.
      throw errors.unreadable("execution " + rs.getString("id"), e);
    }
  }

  private static void requireExists(Handle h, ExecutionId id) {
    boolean exists = h.createQuery("SELECT 1 FROM executions WHERE id = :id")
        .bind("id", id.value()).mapTo(Integer.class).findOne().isPresent();
    if (!exists) {
      throw new NotFoundException("no execution " + id, NO_EXECUTION_HINT);
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
