package dev.rgrid.backend.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.store.sql.ExecutionColumns;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.ParentRelease;
import dev.rgrid.store.sql.StoreJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The execution records of {@link PgMetadataStore}: rows of {@code executions} (their updates in
 * {@link PgRecordUpdates}), and the announcements of changes to them and to their log lines on
 * the channel {@value #CHANGES}, heard through a connection of its own.
 */
final class PgExecutions implements ExecutionStore {
  /**
   * The script's file name, read from the stored spec; written exactly as the index of
   * migration V8 is, so that the planner uses it.
   */
  static final String SCRIPT_NAME = "(CAST(spec AS jsonb) ->> 'scriptName')";
  private static final String SELECT = "SELECT " + ExecutionRows.COLUMNS + " FROM executions";
  static final String NO_EXECUTION_HINT = "run `rgrid list` to see the known executions";

  private final Jdbi jdbi;
  private final PgErrors errors;
  /** Log lines and record changes, announced on their own channel (payload: the execution id). */
  private final PgNotifications changes;
  private final PgRecordUpdates updates;
  /** The channel of {@link #changes}. */
  static final String CHANGES = "rgrid_changes";

  /** Works on {@code jdbi}; {@code settings} name the database in errors and for listening. */
  PgExecutions(Jdbi jdbi, PgErrors errors, PostgresSettings settings) {
    this.jdbi = jdbi;
    this.errors = errors;
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
    if (record.spec().parents().isEmpty() && record.status() != ExecutionStatus.WAITING) {
      int inserted = errors.call("storing execution " + record.id(), () -> jdbi.withHandle(h ->
          ExecutionRows.bindInsert(h.createUpdate(ExecutionRows.INSERT), record).execute()));
      if (inserted == 0) {
        throw new ConflictException("execution " + record.id() + " already exists");
      }
      return;
    }
    // A child: its parents are read under lock, and it is stored with its edges at once.
    errors.call("storing execution " + record.id(), () -> jdbi.inTransaction(h -> {
      PgEdges edges = new PgEdges(h, this::decode, CHANGES);
      ParentRelease.Admission admission = ParentRelease.admit(edges, record);
      if (ExecutionRows.bindInsert(h.createUpdate(ExecutionRows.INSERT), admission.record())
          .execute() == 0) {
        throw new ConflictException("execution " + record.id() + " already exists");
      }
      ParentRelease.recordEdges(edges, admission);
      return null;
    }));
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
    if (query.scriptName() != null) {
      sql.append(" AND ").append(SCRIPT_NAME).append(" = :script_name");
    }
    if (query.startedFrom() != null) {
      sql.append(" AND started_at >= :started_from");
    }
    if (query.startedBefore() != null) {
      sql.append(" AND started_at < :started_before");
    }
    if (query.text() != null) {
      // strpos, not LIKE: the text is matched as it is, with no wildcard to escape.
      sql.append(" AND (strpos(lower(id), :text) > 0 OR strpos(lower(").append(SCRIPT_NAME)
          .append("), :text) > 0 OR EXISTS (SELECT 1 FROM jsonb_each_text(labels) l"
              + " WHERE left(l.key, 6) <> 'rgrid.'"
              + " AND (strpos(lower(l.key), :text) > 0 OR strpos(lower(l.value), :text) > 0)))");
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
      if (query.scriptName() != null) {
        q.bind("script_name", query.scriptName());
      }
      if (query.startedFrom() != null) {
        q.bind("started_from", NanoInstants.toBound(query.startedFrom()));
      }
      if (query.startedBefore() != null) {
        q.bind("started_before", NanoInstants.toBound(query.startedBefore()));
      }
      if (query.text() != null) {
        q.bind("text", query.text().toLowerCase(java.util.Locale.ROOT));
      }
      return q.map((rs, ctx) -> decode(rs)).list();
    }));
    if (items.size() <= query.limit()) {
      return new ExecutionPage(items, null);
    }
    List<ExecutionRecord> page = items.subList(0, query.limit());
    return new ExecutionPage(page, page.get(page.size() - 1).id());
  }

  private ExecutionRecord decode(ResultSet rs) throws SQLException {
    try {
      return ExecutionColumns.read(rs);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      // A row this code did not write (or one changed by hand): say which, never guess.
      throw errors.unreadable("execution " + rs.getString("id"), e);
    }
  }

  /** Stops listening for changes; the pool belongs to the backend, which closes it. */
  void close() {
    changes.close();
  }
}
