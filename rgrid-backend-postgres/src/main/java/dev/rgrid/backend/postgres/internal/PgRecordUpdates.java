package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.store.sql.ParentRelease;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code MetadataStore.update} on PostgreSQL: a compare-and-set by row version. PostgreSQL gives
 * every new version of a row a new {@code xmin}; a write conditioned on the {@code xmin} that was
 * read lands only if nobody changed the row in between, exactly what a row lock held from the
 * read to the write would guarantee, without holding one or opening a transaction.
 *
 * <p>The version of each record this process last read or wrote is kept, so the usual second
 * update of a record (a worker ending the run it started) is one statement, with no read and no
 * decoding. A kept version that is stale only costs a read: the write matches no row, and the
 * change is applied again to the record as it is now. After a few lost races (a record written
 * that often is rare) the update takes the row lock instead, so it always ends.
 */
final class PgRecordUpdates {
  private static final int OPTIMISTIC_TRIES = 3;
  private static final int REMEMBERED = 4096;
  private static final String VERSION = "xmin::text";
  private static final String READ = "SELECT " + ExecutionRows.COLUMNS + ", " + VERSION
      + " AS row_version FROM executions WHERE id = :id";
  private static final String WRITE = ExecutionRows.UPDATE + " AND " + VERSION
      + " = :version RETURNING " + VERSION;
  /** The write that ends an execution also announces it, in the same statement (so atomically). */
  private static final String WRITE_AND_ANNOUNCE = "WITH u AS (" + WRITE + " AS v)"
      + " SELECT u.v, pg_notify(:channel, :id) FROM u"; // no row written, no NOTIFY
  private static final String LOCKED_READ = READ + " FOR NO KEY UPDATE";
  private static final String LOCKED_WRITE = ExecutionRows.UPDATE + " RETURNING " + VERSION;

  /** A record as stored, and the version of its row. */
  private record Seen(ExecutionRecord record, String version) {}

  /** Reads the record of the current row; the row's columns are {@link ExecutionRows#COLUMNS}. */
  @FunctionalInterface
  interface Decoder {
    ExecutionRecord decode(ResultSet rs) throws SQLException;
  }

  private final Jdbi jdbi;
  private final PgErrors errors;
  private final Decoder decoder;
  private final String channel;
  private final ConcurrentHashMap<ExecutionId, Seen> seen = new ConcurrentHashMap<>();

  PgRecordUpdates(Jdbi jdbi, PgErrors errors, Decoder decoder, String channel) {
    this.jdbi = jdbi;
    this.errors = errors;
    this.decoder = decoder;
    this.channel = channel;
  }

  /** See {@code MetadataStore.update}. */
  ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    return errors.call("updating execution " + id, () -> {
      Seen known = seen.get(id);
      for (int i = 0; i < OPTIMISTIC_TRIES; i++) {
        boolean fresh = known == null;
        Seen current = fresh ? read(id) : known;
        known = null;
        ExecutionRecord next;
        try {
          next = StoreChecks.applyChange(current.record(), expected, change);
        } catch (RuntimeException e) {
          if (fresh) {
            throw e; // refused by the record as it is now
          }
          continue; // refused by what may be an old copy: ask the row itself
        }
        Optional<String> version = write(next, current);
        if (version.isPresent()) {
          remember(next, version.get());
          return next;
        }
      }
      return lockedUpdate(id, expected, change);
    });
  }

  /** Keeps the version of a record just read elsewhere (by a query that selected it). */
  void remember(ExecutionRecord record, String version) {
    if (seen.size() >= REMEMBERED) {
      seen.clear(); // crude but bounded; a forgotten version costs one read
    }
    seen.put(record.id(), new Seen(record, version));
  }

  /** The record as stored now, its version kept for a later update. */
  Optional<ExecutionRecord> find(ExecutionId id) {
    Optional<Seen> now = jdbi.withHandle(h -> h.createQuery(READ).bind("id", id.value())
        .map((rs, ctx) -> new Seen(decoder.decode(rs), rs.getString("row_version"))).findOne());
    now.ifPresent(s -> remember(s.record(), s.version()));
    return now.map(Seen::record);
  }

  private Seen read(ExecutionId id) {
    return jdbi.withHandle(h -> h.createQuery(READ).bind("id", id.value())
        .map((rs, ctx) -> new Seen(decoder.decode(rs), rs.getString("row_version"))).findOne())
        .orElseThrow(() -> notFound(id));
  }

  /**
   * Writes {@code next} if the row is still at the version read; its new version, or empty. The
   * write that ends an execution releases its waiting children in the same transaction.
   */
  private Optional<String> write(ExecutionRecord next, Seen current) {
    if (!ends(current.record(), next)) {
      return jdbi.withHandle(h -> ExecutionRows.bindUpdate(h.createQuery(WRITE), next)
          .bind("version", current.version()).mapTo(String.class).findOne());
    }
    return jdbi.inTransaction(h -> {
      Optional<String> version = ExecutionRows.bindUpdate(h.createQuery(WRITE_AND_ANNOUNCE), next)
          .bind("version", current.version()).bind("channel", channel)
          .mapTo(String.class).findOne();
      if (version.isPresent()) {
        ParentRelease.release(new PgEdges(h, decoder, channel), next);
      }
      return version;
    });
  }

  /**
   * The same change under the row lock: taken by the read and held to the commit. NO KEY UPDATE,
   * not UPDATE: it still excludes every other writer of the row, but lets log lines and artifacts
   * (whose foreign keys take a KEY SHARE lock) go in meanwhile.
   */
  private ExecutionRecord lockedUpdate(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change) {
    return jdbi.inTransaction(h -> {
      ExecutionRecord current = h.createQuery(LOCKED_READ).bind("id", id.value())
          .map((rs, ctx) -> decoder.decode(rs)).findOne().orElseThrow(() -> notFound(id));
      ExecutionRecord next = StoreChecks.applyChange(current, expected, change);
      String version = ExecutionRows.bindUpdate(h.createQuery(LOCKED_WRITE), next)
          .mapTo(String.class).one();
      if (ends(current, next)) {
        announce(h, id); // delivered at commit, so a follower woken by it reads what was written
        ParentRelease.release(new PgEdges(h, decoder, channel), next);
      }
      remember(next, version); // our transaction's id: the row's version once committed
      return next;
    });
  }

  private void announce(Handle h, ExecutionId id) {
    h.createQuery("SELECT pg_notify(:channel, :id)").bind("channel", channel)
        .bind("id", id.value()).mapTo(String.class).one();
  }

  /**
   * Only ends are announced (what a log follower waits for): a NOTIFY makes its transaction take
   * a cluster-wide lock through commit, which every status change would pay for.
   */
  private static boolean ends(ExecutionRecord current, ExecutionRecord next) {
    return next.status().isTerminal() && !current.status().isTerminal();
  }

  private static NotFoundException notFound(ExecutionId id) {
    return new NotFoundException("no execution " + id, PgExecutions.NO_EXECUTION_HINT);
  }
}
