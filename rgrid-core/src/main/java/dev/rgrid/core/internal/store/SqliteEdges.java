package dev.rgrid.core.internal.store;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.store.sql.ParentRelease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ParentRelease}'s statements on SQLite, inside one IMMEDIATE write transaction of
 * {@link SqliteExecutions}: the write lock is held from the first statement, so plain reads are
 * already "locked". Ends of skipped children are collected to be announced after the commit.
 */
final class SqliteEdges implements ParentRelease.Edges<SQLException> {
  /** Reads one record on the transaction's connection. */
  @FunctionalInterface
  interface Loader {
    Optional<ExecutionRecord> load(Connection c, ExecutionId id) throws SQLException;
  }

  /** Writes a record's mutable columns on the transaction's connection. */
  @FunctionalInterface
  interface Writer {
    void write(Connection c, ExecutionRecord next) throws SQLException;
  }

  private final Connection c;
  private final Loader loader;
  private final Writer writer;
  private final List<ExecutionId> ended = new ArrayList<>();

  SqliteEdges(Connection c, Loader loader, Writer writer) {
    this.c = c;
    this.loader = loader;
    this.writer = writer;
  }

  /** The children this transaction ended (skipped), to announce once it committed. */
  List<ExecutionId> ended() {
    return ended;
  }

  @Override
  public Map<ExecutionId, ExecutionStatus> lockParents(List<ExecutionId> ids) throws SQLException {
    Map<ExecutionId, ExecutionStatus> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, status FROM executions WHERE id IN ("
        + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i).value());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(new ExecutionId(rs.getString(1)), ExecutionStatus.valueOf(rs.getString(2)));
        }
      }
    }
    return out;
  }

  @Override
  public ParentRelease.BatchRuns lockBatch(BatchId batch) throws SQLException {
    int size;
    try (PreparedStatement ps = c.prepareStatement("SELECT size FROM batches WHERE id = ?")) {
      ps.setString(1, batch.value());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        size = rs.getInt(1);
      }
    }
    // Runs retried by hand carry retried_by: their retry stands for them, as in the batch's
    // progress.
    Map<ExecutionId, ExecutionStatus> latest = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, status FROM executions"
        + " WHERE batch_id = ? AND retried_by IS NULL ORDER BY id")) {
      ps.setString(1, batch.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          latest.put(new ExecutionId(rs.getString(1)), ExecutionStatus.valueOf(rs.getString(2)));
        }
      }
    }
    return new ParentRelease.BatchRuns(size, latest);
  }

  @Override
  public void insert(ExecutionId child, List<ExecutionId> parents) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        // OR IGNORE: a child handed over to an expanded batch's runs may wait for some already.
        "INSERT OR IGNORE INTO execution_parents (child_id, parent_id) VALUES (?, ?)")) {
      for (ExecutionId parent : parents) {
        ps.setString(1, child.value());
        ps.setString(2, parent.value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public List<ExecutionId> children(ExecutionId parent) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT child_id FROM execution_parents WHERE parent_id = ? ORDER BY child_id")) {
      ps.setString(1, parent.value());
      List<ExecutionId> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ExecutionId(rs.getString(1)));
        }
      }
      return out;
    }
  }

  @Override
  public ExecutionRecord lockRecord(ExecutionId id) throws SQLException {
    return loader.load(c, id).orElseThrow(() -> new NotFoundException("no execution " + id,
        SqliteExecutions.NO_EXECUTION_HINT));
  }

  @Override
  public void delete(ExecutionId child, ExecutionId parent) throws SQLException {
    run("DELETE FROM execution_parents WHERE child_id = ? AND parent_id = ?", child, parent);
  }

  @Override
  public void deleteAll(ExecutionId child) throws SQLException {
    run("DELETE FROM execution_parents WHERE child_id = ?", child);
  }

  @Override
  public boolean waitsStill(ExecutionId child) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT EXISTS (SELECT 1 FROM execution_parents WHERE child_id = ?)")) {
      ps.setString(1, child.value());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) != 0;
      }
    }
  }

  @Override
  public void write(ExecutionRecord next) throws SQLException {
    writer.write(c, next);
  }

  @Override
  public void removeQueueEntry(ExecutionId id) throws SQLException {
    run("DELETE FROM queue WHERE execution_id = ?", id);
  }

  @Override
  public void announceQueued(ExecutionId id) {
    // SQLite cannot wake other processes: their workers poll. This process's pool claims again
    // as soon as the run that ended the parent frees its slot.
  }

  @Override
  public void announceEnded(ExecutionId id) {
    ended.add(id);
  }

  private void run(String sql, ExecutionId... ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < ids.length; i++) {
        ps.setString(i + 1, ids[i].value());
      }
      ps.executeUpdate();
    }
  }
}
