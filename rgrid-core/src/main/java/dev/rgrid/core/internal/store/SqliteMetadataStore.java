package dev.rgrid.core.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The {@link MetadataStore} on an embedded {@link SqliteDatabase}. The result cache's methods are
 * delegated to {@link SqliteCacheEntries}.
 */
final class SqliteMetadataStore extends SqliteView implements MetadataStore {
  private static final String SELECT = "SELECT " + ExecutionRows.COLUMNS + " FROM executions";

  private final SqliteCacheEntries cache = new SqliteCacheEntries(this);
  private final SqliteLimits limits = new SqliteLimits(this);
  private final SqliteBatches batches = new SqliteBatches(this);
  /** Followers in this process; other processes on the same file poll (see subscribeChanges). */
  private final ChangeFollowers followers = new ChangeFollowers();

  SqliteMetadataStore(SqliteDatabase db) {
    super(db);
  }

  @Override
  public void create(ExecutionRecord record) {
    Objects.requireNonNull(record, "record");
    db().write("storing execution " + record.id(), c -> {
      if (exists(c, record.id())) {
        throw new ConflictException("execution " + record.id() + " already exists");
      }
      try (PreparedStatement ps = c.prepareStatement(ExecutionRows.INSERT)) {
        ExecutionRows.bindInsert(ps, record);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO execution_labels (execution_id, key, value) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, String> label : record.spec().labels().entrySet()) {
          ps.setString(1, record.id().value());
          ps.setString(2, label.getKey());
          ps.setString(3, label.getValue());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return db().read("reading execution " + id, c -> load(c, id));
  }

  @Override
  public ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(change, "change");
    // Read, check, change and write under one write lock, so no other thread or process can slip
    // a change in between: that is what makes the expected-status check a compare-and-set.
    return changed(id, db().write("updating execution " + id, c -> {
      ExecutionRecord current = load(c, id).orElseThrow(() -> new NotFoundException(
          "no execution " + id, "run `rgrid list` to see the known executions"));
      if (!expected.contains(current.status())) {
        throw new ConflictException("execution " + id + " is " + current.status()
            + ", not " + expected);
      }
      ExecutionRecord next = change.apply(current);
      checkUnchangedIdentity(current, next);
      try (PreparedStatement ps = c.prepareStatement(ExecutionRows.UPDATE)) {
        ExecutionRows.bindUpdate(ps, next);
        ps.executeUpdate();
      }
      return next;
    }));
  }

  private static void checkUnchangedIdentity(ExecutionRecord current, ExecutionRecord next) {
    if (next == null) {
      throw new IllegalArgumentException("the change to execution " + current.id()
          + " returned null");
    }
    if (!next.id().equals(current.id()) || !next.createdAt().equals(current.createdAt())
        || !next.spec().equals(current.spec())) {
      throw new IllegalArgumentException("a change to execution " + current.id()
          + " may not alter its id, spec or creation time");
    }
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (!query.statuses().isEmpty()) {
      // Only placeholders are spliced into the SQL; the values travel as parameters.
      sql.append(" AND status IN (")
          .append(String.join(", ", Collections.nCopies(query.statuses().size(), "?")))
          .append(')');
      query.statuses().forEach(s -> params.add(s.name()));
    }
    if (query.batchId() != null) {
      sql.append(" AND batch_id = ?");
      params.add(query.batchId());
    }
    if (query.before() != null) {
      sql.append(" AND id < ?");
      params.add(query.before().value());
    }
    for (Map.Entry<String, String> label : query.labels().entrySet()) {
      sql.append(" AND EXISTS (SELECT 1 FROM execution_labels l WHERE l.execution_id ="
          + " executions.id AND l.key = ? AND l.value = ?)");
      params.add(label.getKey());
      params.add(label.getValue());
    }
    // One extra row tells whether another page follows without a second query.
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(query.limit() + 1);
    List<ExecutionRecord> items = db().read("listing executions", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          ps.setObject(i + 1, params.get(i));
        }
        List<ExecutionRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(decode(rs));
          }
        }
        return out;
      }
    });
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
    db().write("appending log lines of execution " + id, c -> {
      requireExists(c, id);
      // INSERT OR IGNORE keeps the first copy of a (execution, seq) pair, so resent lines vanish.
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO log_lines"
          + " (execution_id, seq, stream, at, text) VALUES (?, ?, ?, ?, ?)")) {
        for (LogLine line : lines) {
          ps.setString(1, id.value());
          ps.setLong(2, line.seq());
          ps.setString(3, line.stream().name());
          ps.setLong(4, Instants.toColumn(line.at()));
          ps.setString(5, line.text());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
    changed(id, null);
  }

  /** Tells this process's followers, after the write committed; SQLite has no cross-process push. */
  @Override
  public AutoCloseable subscribeChanges(java.util.function.Consumer<ExecutionId> onChange) {
    return followers.add(onChange);
  }

  private <T> T changed(ExecutionId id, T result) {
    followers.tell(id);
    return result;
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    Objects.requireNonNull(id, "id");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    return db().read("reading log lines of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, stream, at, text FROM log_lines"
          + " WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?")) {
        ps.setString(1, id.value());
        ps.setLong(2, afterSeq);
        ps.setInt(3, limit);
        List<LogLine> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new LogLine(rs.getLong(1), LogStream.valueOf(rs.getString(2)),
                Instants.fromColumn(rs.getLong(3)), rs.getString(4)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public void putArtifacts(ExecutionId id, List<Artifact> artifacts) {
    Objects.requireNonNull(id, "id");
    List<Artifact> all = List.copyOf(artifacts);
    db().write("recording artifacts of execution " + id, c -> {
      requireExists(c, id);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM artifacts WHERE execution_id = ? LIMIT 1")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new ConflictException("artifacts of execution " + id + " are already recorded");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO artifacts (execution_id, path, size, blob) VALUES (?, ?, ?, ?)")) {
        for (Artifact a : all) {
          ps.setString(1, id.value());
          ps.setString(2, a.path());
          ps.setLong(3, a.size());
          ps.setString(4, a.blob().sha256());
          ps.addBatch();
        }
        ps.executeBatch();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("two artifacts of execution " + id + " share a path", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return db().write("removing artifacts of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM artifacts WHERE execution_id = ?")) {
        ps.setString(1, id.value());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return db().read("reading artifacts of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT path, size, blob FROM artifacts WHERE execution_id = ? ORDER BY path")) {
        ps.setString(1, id.value());
        List<Artifact> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Artifact(rs.getString(1), rs.getLong(2), new BlobKey(rs.getString(3))));
          }
        }
        return out;
      }
    });
  }

  private Optional<ExecutionRecord> load(Connection c, ExecutionId id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(decode(rs)) : Optional.empty();
      }
    }
  }

  private ExecutionRecord decode(ResultSet rs) throws SQLException {
    try {
      return ExecutionRows.read(rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or a damaged file): say which execution, never guess.
      throw db().errors().unreadable("execution " + rs.getString(1), e);
    }
  }

  private static boolean exists(Connection c, ExecutionId id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM executions WHERE id = ?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void requireExists(Connection c, ExecutionId id) throws SQLException {
    if (!exists(c, id)) {
      throw new NotFoundException("no execution " + id,
          "run `rgrid list` to see the known executions");
    }
  }

  @Override
  public long spentMicros(String scope, java.time.Instant since, java.time.Instant until) {
    return limits.spent(scope, since, until);
  }

  @Override
  public Optional<dev.rgrid.spi.store.LimitSetting> spendingLimit(String scope) {
    return limits.limit(scope);
  }

  @Override
  public void setSpendingLimit(String scope, dev.rgrid.spi.store.LimitSetting limit) {
    limits.setLimit(scope, limit);
  }

  @Override
  public boolean raiseLimitAlert(String scope, String month, int thresholdPercent,
      java.time.Instant at) {
    return limits.raise(scope, month, thresholdPercent, at);
  }

  @Override
  public void createBatch(dev.rgrid.spi.store.BatchRecord batch) {
    batches.create(batch);
  }

  @Override
  public Optional<dev.rgrid.spi.store.BatchRecord> findBatch(dev.rgrid.spi.BatchId id) {
    return batches.find(id);
  }

  @Override
  public dev.rgrid.spi.store.BatchSummary batchSummary(dev.rgrid.spi.BatchId id) {
    return batches.summary(id);
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return db().read("reading the log of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT coalesce(max(seq), 0) FROM log_lines WHERE execution_id = ?")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
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
}
