package dev.rgrid.core.internal.store;

import java.util.function.Consumer;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.store.sql.ExecutionColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.ParentRelease;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * The execution records of {@link SqliteMetadataStore}: rows of {@code executions}, with their
 * labels in {@code execution_labels} for filters. Announcing changes is the store's.
 */
final class SqliteExecutions implements ExecutionStore {
  /**
   * The script's file name, read from the stored spec; written exactly as the index of schema 12
   * is, so that SQLite uses it.
   */
  static final String SCRIPT_NAME = "json_extract(spec, '$.scriptName')";
  private static final String SELECT = "SELECT " + ExecutionColumns.COLUMNS + " FROM executions";
  private static final String INSERT = "INSERT INTO executions (" + ExecutionColumns.COLUMNS
      + ") VALUES (" + placeholders(ExecutionColumns.IMMUTABLE.size()
          + ExecutionColumns.MUTABLE.size()) + ")";
  /** Rewrites the mutable columns; id, spec, creation time and batch never change. */
  private static final String UPDATE = "UPDATE executions SET "
      + String.join(" = ?, ", ExecutionColumns.MUTABLE) + " = ? WHERE id = ?";
  static final String NO_EXECUTION_HINT = "run `rgrid list` to see the known executions";

  private final SqliteView view;
  private final ChangeFollowers followers;

  /**
   * Works on the database of {@code view}, honouring that view's closing; announces changes to
   * {@code followers} in this process.
   */
  SqliteExecutions(SqliteView view, ChangeFollowers followers) {
    this.view = view;
    this.followers = followers;
  }

  @Override
  public void create(ExecutionRecord record) {
    Objects.requireNonNull(record, "record");
    view.db().write("storing execution " + record.id(), c -> {
      if (exists(c, record.id())) {
        throw new ConflictException("execution " + record.id() + " already exists");
      }
      SqliteEdges edges = edges(c);
      ParentRelease.Admission admission = ParentRelease.admit(edges, record);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        bind(ps, 1, ExecutionColumns.values(admission.record()).values());
        ps.executeUpdate();
      }
      ParentRelease.recordEdges(edges, admission);
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
    return view.db().read("reading execution " + id, c -> load(c, id));
  }

  @Override
  public ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    List<ExecutionId> skipped = new ArrayList<>();
    ExecutionRecord next = write(id, expected, change, skipped);
    followers.tell(id); // after the write committed
    skipped.forEach(followers::tell);
    return next;
  }

  private SqliteEdges edges(Connection c) {
    return new SqliteEdges(c, this::load, SqliteExecutions::rewrite);
  }

  /** Rewrites the mutable columns of {@code next}'s row. */
  private static void rewrite(Connection c, ExecutionRecord next) throws SQLException {
    Map<String, Object> values = ExecutionColumns.mutableValues(next);
    try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
      int i = bind(ps, 1, ExecutionColumns.MUTABLE.stream().map(values::get).toList());
      ps.setString(i, next.id().value());
      ps.executeUpdate();
    }
  }

  @Override
  public AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    return followers.add(onChange);
  }

  private ExecutionRecord write(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change, List<ExecutionId> skipped) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(change, "change");
    // Read, check, change and write under one write lock, so no other thread or process can slip
    // a change in between: that is what makes the expected-status check a compare-and-set.
    return view.db().write("updating execution " + id, c -> {
      skipped.clear(); // a transaction tried again starts afresh
      ExecutionRecord current = load(c, id).orElseThrow(() -> new NotFoundException(
          "no execution " + id, NO_EXECUTION_HINT));
      ExecutionRecord next = StoreChecks.applyChange(current, expected, change);
      rewrite(c, next);
      if (next.status().isTerminal() && !current.status().isTerminal()) {
        // Its waiting children are released (or skipped) in this same transaction.
        SqliteEdges edges = edges(c);
        ParentRelease.release(edges, next);
        skipped.addAll(edges.ended());
      }
      return next;
    });
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (!query.statuses().isEmpty()) {
      // Only placeholders are spliced into the SQL; the values travel as parameters.
      sql.append(" AND status IN (").append(placeholders(query.statuses().size())).append(')');
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
    if (query.scriptName() != null) {
      sql.append(" AND ").append(SCRIPT_NAME).append(" = ?");
      params.add(query.scriptName());
    }
    if (query.startedFrom() != null) {
      sql.append(" AND started_at >= ?");
      params.add(NanoInstants.toBound(query.startedFrom()));
    }
    if (query.startedBefore() != null) {
      sql.append(" AND started_at < ?");
      params.add(NanoInstants.toBound(query.startedBefore()));
    }
    if (query.text() != null) {
      // instr, not LIKE: the text is matched as it is, with no wildcard to escape. lower() folds
      // ASCII letters only, as the SPI promises (PostgreSQL folds more, which it allows).
      String text = query.text().toLowerCase(java.util.Locale.ROOT);
      sql.append(" AND (instr(lower(id), ?) > 0 OR instr(lower(").append(SCRIPT_NAME)
          .append("), ?) > 0 OR EXISTS (SELECT 1 FROM execution_labels l WHERE"
              + " l.execution_id = executions.id AND substr(l.key, 1, 6) <> 'rgrid.'"
              + " AND (instr(lower(l.key), ?) > 0 OR instr(lower(l.value), ?) > 0)))");
      params.addAll(List.of(text, text, text, text));
    }
    // One extra row tells whether another page follows without a second query.
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(query.limit() + 1);
    List<ExecutionRecord> items = view.db().read("listing executions", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        bind(ps, 1, params);
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

  /**
   * Throws the SPI's {@link NotFoundException} unless execution {@code id} is stored, for what
   * hangs off one (log lines, artifacts).
   */
  static void requireExists(Connection c, ExecutionId id) throws SQLException {
    if (!exists(c, id)) {
      throw new NotFoundException("no execution " + id, NO_EXECUTION_HINT);
    }
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
      return ExecutionColumns.read(rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or a damaged file): say which execution, never guess.
      throw view.db().errors().unreadable("execution " + rs.getString("id"), e);
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

  /** Binds {@code values} from parameter {@code first} on; returns the next index. */
  private static int bind(PreparedStatement ps, int first, Collection<Object> values)
      throws SQLException {
    int i = first;
    for (Object value : values) {
      ps.setObject(i++, value); // the driver binds null as NULL, booleans as 0 or 1
    }
    return i;
  }

  private static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }
}
