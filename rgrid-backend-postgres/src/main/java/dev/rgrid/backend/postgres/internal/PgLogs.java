package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStore;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The log lines of {@link PgMetadataStore}: rows of {@code log_lines}. Appending announces the
 * execution on the store's change channel, in the same transaction.
 */
final class PgLogs implements LogStore {
  private final Jdbi jdbi;
  private final PgErrors errors;
  private final String notify;

  /** Works on {@code jdbi}; appends are announced with {@code notify} (binding {@code :id}). */
  PgLogs(Jdbi jdbi, PgErrors errors, String notify) {
    this.jdbi = jdbi;
    this.errors = errors;
    this.notify = notify;
  }

  @Override
  public void appendLogs(ExecutionId id, List<LogLine> lines) {
    Objects.requireNonNull(id, "id");
    if (lines.isEmpty()) {
      return;
    }
    errors.run("appending log lines of execution " + id, () -> jdbi.useTransaction(h -> {
      boolean exists = h.createQuery("SELECT 1 FROM executions WHERE id = :id")
          .bind("id", id.value()).mapTo(Integer.class).findOne().isPresent();
      if (!exists) {
        throw new NotFoundException("no execution " + id, PgExecutions.NO_EXECUTION_HINT);
      }
      // DO NOTHING keeps the first copy of an (execution, seq) pair, so resent lines vanish.
      PreparedBatch batch = h.prepareBatch("INSERT INTO log_lines (execution_id, seq, stream, at,"
          + " text) VALUES (:execution_id, :seq, :stream, :at, :text) ON CONFLICT DO NOTHING");
      for (LogLine line : lines) {
        batch.bind("execution_id", id.value()).bind("seq", line.seq())
            .bind("stream", line.stream().name()).bind("at", NanoInstants.toColumn(line.at()))
            .bind("text", storable(line.text())).add();
      }
      batch.execute();
      h.createQuery(notify).bind("id", id.value()).mapTo(String.class).one();
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
    StoreChecks.requireLogLimit(limit);
    return errors.call("reading log lines of execution " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT seq, stream, at, text FROM log_lines WHERE execution_id = :id"
                + " AND seq > :after ORDER BY seq LIMIT :limit")
            .bind("id", id.value()).bind("after", afterSeq).bind("limit", limit)
            .map((rs, ctx) -> new LogLine(rs.getLong("seq"),
                LogStream.valueOf(rs.getString("stream")),
                NanoInstants.fromColumn(rs.getLong("at")), rs.getString("text")))
            .list()));
  }

  @Override
  public long lastLogSeq(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading the log of execution " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT coalesce(max(seq), 0) FROM log_lines WHERE execution_id = :id")
            .bind("id", id.value()).mapTo(Long.class).one()));
  }
}
