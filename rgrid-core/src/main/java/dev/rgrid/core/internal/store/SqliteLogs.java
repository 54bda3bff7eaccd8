package dev.rgrid.core.internal.store;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStore;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The log lines of {@link SqliteMetadataStore}: rows of {@code log_lines}. */
final class SqliteLogs implements LogStore {
  private final SqliteView view;
  private final ChangeFollowers followers;

  /**
   * Works on the database of {@code view}, honouring that view's closing; announces appended
   * lines to {@code followers} in this process.
   */
  SqliteLogs(SqliteView view, ChangeFollowers followers) {
    this.view = view;
    this.followers = followers;
  }

  @Override
  public void appendLogs(ExecutionId id, List<LogLine> lines) {
    Objects.requireNonNull(id, "id");
    if (lines.isEmpty()) {
      return;
    }
    view.db().write("appending log lines of execution " + id, c -> {
      SqliteExecutions.requireExists(c, id);
      // INSERT OR IGNORE keeps the first copy of a (execution, seq) pair, so resent lines vanish.
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO log_lines"
          + " (execution_id, seq, stream, at, text) VALUES (?, ?, ?, ?, ?)")) {
        for (LogLine line : lines) {
          ps.setString(1, id.value());
          ps.setLong(2, line.seq());
          ps.setString(3, line.stream().name());
          ps.setLong(4, NanoInstants.toColumn(line.at()));
          ps.setString(5, line.text());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
    followers.tell(id); // after the write committed
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    Objects.requireNonNull(id, "id");
    StoreChecks.requireLogLimit(limit);
    return view.db().read("reading log lines of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, stream, at, text FROM log_lines"
          + " WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?")) {
        ps.setString(1, id.value());
        ps.setLong(2, afterSeq);
        ps.setInt(3, limit);
        List<LogLine> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new LogLine(rs.getLong(1), LogStream.valueOf(rs.getString(2)),
                NanoInstants.fromColumn(rs.getLong(3)), rs.getString(4)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("reading the log of execution " + id, c -> {
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
}
