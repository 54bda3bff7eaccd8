package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueDepth;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.queue.WorkerStatus;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.QueueViews;
import dev.rgrid.store.sql.StoreChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@link ExecutionQueue} on PostgreSQL, shared by any number of workers in any number of
 * processes. Semantics are those of the embedded SQLite queue: an entry is unclaimed while {@code
 * claimed_by} is null, a deadline counts as lapsed from the instant it names, and a worker keeps a
 * lapsed lease (and may renew or complete it) until another worker actually takes the entry.
 *
 * <p>Claiming has two paths. Work outside limited groups is claimed lock-free in one statement
 * ({@code FOR UPDATE SKIP LOCKED}). While an entry of a limited group is claimable, claims run one
 * at a time under a transaction-scoped advisory lock, because counting a group's held entries is
 * only sound when no other claimer is adding to them; only that path ever claims grouped entries.
 */
public final class PgExecutionQueue implements ExecutionQueue {
  private static final RowMapper<Row> ROW = (rs, ctx) ->
      new Row(rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getLong(4), rs.getInt(5));

  private final Jdbi jdbi;
  private final PgErrors errors;
  private final PgNotifications notifications;

  /** A queue on the database of {@code jdbi}, whose schema is already migrated. */
  public PgExecutionQueue(Jdbi jdbi, PostgresSettings settings) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.errors = new PgErrors(settings);
    this.notifications = new PgNotifications(settings, PgQueueSql.CHANNEL);
  }

  /** Subscribers hear of every enqueue, give-back and freed group place, from any process. */
  @Override
  public AutoCloseable subscribe(Runnable onWork) {
    return notifications.subscribe(Objects.requireNonNull(onWork, "onWork"));
  }

  /** Stops listening for notifications (the pool belongs to the backend). */
  @Override
  public void close() {
    notifications.close();
  }

  private static void announce(Handle h) {
    h.createQuery(PgQueueSql.NOTIFY).mapTo(String.class).one();
  }

  @Override
  public void enqueue(QueueEntry entry, Instant now, Duration hold) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(hold, "hold");
    WorkerId affinity = entry.affinity();
    run("queueing execution " + entry.executionId(), h -> {
      try {
        int inserted = h.createUpdate(PgQueueSql.ENQUEUE)
            .bind("id", entry.executionId().value())
            .bind("affinity", affinity == null ? null : affinity.value())
            .bindByType("holdUntil", affinity == null ? null : nanos(now.plus(hold)), Long.class)
            .bind("notBefore", nanos(entry.notBefore()))
            .bind("attempt", entry.attempt())
            .bind("now", nanos(now))
            .bind("group", entry.group())
            .bind("groupLimit", entry.groupLimit())
            .execute();
        announce(h); // after the insert committed (autocommit), so listeners find the row
        return inserted;
      } catch (JdbiException e) {
        if (PgErrors.isUniqueViolation(e)) {
          throw new ConflictException("execution " + entry.executionId()
              + " is already queued or claimed", e);
        }
        throw e;
      }
    });
  }

  @Override
  public List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
    return claim(PgQueueSql.ANY, worker, max, now, lease);
  }

  @Override
  public List<Claim> claimOwn(WorkerId worker, int max, Instant now, Duration lease) {
    return claim(PgQueueSql.OWN, worker, max, now, lease);
  }

  private List<Claim> claim(PgQueueSql.Claiming sql, WorkerId worker, int max, Instant now,
      Duration lease) {
    StoreChecks.requireClaim(worker, max, now, lease);
    Instant leaseUntil = now.plus(lease);
    return run("claiming work for " + worker, h -> {
      List<Row> rows = claimRows(h, sql.claimUngrouped(), worker, now, leaseUntil)
          .bind("max", max).map(ROW).list();
      // Nothing claimed lock-free means the queue is idle or a limited group is waiting; only the
      // second case, asked separately so the busy path stays one statement, needs the lock.
      if (rows.isEmpty() && limitedGroupWaiting(h, sql, worker, now)) {
        rows = h.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
            tx -> claimUnderLock(tx, sql, worker, max, now, leaseUntil));
      }
      return toClaims(rows, worker, leaseUntil);
    });
  }

  private static boolean limitedGroupWaiting(Handle h, PgQueueSql.Claiming sql, WorkerId worker,
      Instant now) {
    return h.createQuery(sql.selectLimitedGroupWaiting())
        .bind("now", nanos(now))
        .bind("worker", worker.value())
        .mapTo(Boolean.class).one();
  }

  /**
   * Runs in a READ COMMITTED transaction: each statement after the lock reads a fresh snapshot,
   * so it sees every grouped claim committed by the lock's previous holder.
   */
  private static List<Row> claimUnderLock(Handle tx, PgQueueSql.Claiming sql, WorkerId worker,
      int max, Instant now, Instant leaseUntil) {
    tx.createQuery(PgQueueSql.LOCK_GROUP_CLAIMS).bind("key", PgQueueSql.GROUP_CLAIM_LOCK)
        .mapTo(Integer.class).one();
    List<Long> seqs = tx.createQuery(sql.candidates())
        .bind("now", nanos(now))
        .bind("worker", worker.value())
        .bind("max", max)
        .mapTo(Long.class).list();
    if (seqs.isEmpty()) {
      return List.of();
    }
    return claimRows(tx, sql.claimCandidates(), worker, now, leaseUntil)
        .bindArray("seqs", Long.class, seqs).map(ROW).list();
  }

  /** A claiming statement with the parameters both paths share; the caller adds its own. */
  private static Query claimRows(Handle h, String sql, WorkerId worker, Instant now,
      Instant leaseUntil) {
    return h.createQuery(sql)
        .bind("now", nanos(now))
        .bind("worker", worker.value())
        .bind("until", nanos(leaseUntil));
  }

  private static List<Claim> toClaims(List<Row> rows, WorkerId worker, Instant leaseUntil) {
    List<Row> sorted = new ArrayList<>(rows);
    // RETURNING has no order: the claim order (PgQueueSql.DEPTH_FIRST), deepest then oldest.
    sorted.sort(Comparator.comparingInt(Row::depth).reversed().thenComparingLong(Row::seq));
    List<Claim> claims = new ArrayList<>(sorted.size());
    for (Row r : sorted) {
      claims.add(new Claim(new ExecutionId(r.id()), worker, r.attempt(), leaseUntil,
          r.reclaimed()));
    }
    return claims;
  }

  @Override
  public List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease) {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    List<ExecutionId> held = run("renewing the leases of " + worker, h ->
        h.createQuery(PgQueueSql.RENEW)
            .bind("until", nanos(now.plus(lease)))
            .bind("now", nanos(now))
            .bind("worker", worker.value())
            .map((rs, ctx) -> new ExecutionId(rs.getString(1))).list());
    List<ExecutionId> sorted = new ArrayList<>(held);
    sorted.sort(null);
    return sorted;
  }

  @Override
  public boolean complete(ExecutionId id, WorkerId worker) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    return run("completing queued execution " + id, h -> {
      java.util.Optional<Integer> limit = h.createQuery(PgQueueSql.COMPLETE)
          .bind("id", id.value()).bind("worker", worker.value()).mapTo(Integer.class).findOne();
      if (limit.isPresent() && limit.get() > 0) {
        announce(h); // a place in its group is free: grouped work may wait for it
      }
      return limit.isPresent();
    });
  }

  @Override
  public boolean release(ExecutionId id, WorkerId worker, Instant notBefore) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(notBefore, "notBefore");
    return giveBack("releasing queued execution " + id, id, worker, notBefore, null);
  }

  @Override
  public boolean retry(ExecutionId id, WorkerId worker, Instant notBefore, int attempt) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(notBefore, "notBefore");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return giveBack("queueing execution " + id + " for attempt " + attempt, id, worker, notBefore,
        attempt);
  }

  private boolean giveBack(String action, ExecutionId id, WorkerId worker, Instant notBefore,
      Integer attempt) {
    return run(action, h -> {
      boolean given = h.createUpdate(PgQueueSql.RELEASE)
          .bind("notBefore", nanos(notBefore))
          .bindByType("attempt", attempt, Integer.class)
          .bind("worker", worker.value())
          .bind("id", id.value())
          .execute() > 0;
      if (given) {
        announce(h);
      }
      return given;
    });
  }

  @Override
  public boolean remove(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return run("removing queued execution " + id, h -> h.createUpdate(PgQueueSql.REMOVE)
        .bind("id", id.value()).execute() > 0);
  }

  @Override
  public List<WorkerId> liveWorkers(Instant now) {
    Objects.requireNonNull(now, "now");
    return run("listing live workers", h -> h.createQuery(PgQueueSql.LIVE_WORKERS)
        .bind("now", nanos(now)).map((rs, ctx) -> new WorkerId(rs.getString(1))).list());
  }

  @Override
  public List<WorkerStatus> workers(Instant now) {
    long at = nanos(Objects.requireNonNull(now, "now"));
    return run("listing workers", h -> h.createQuery(QueueViews.WORKERS).bind(0, at).bind(1, at)
        .map((rs, ctx) -> {
          long beat = rs.getLong(2);
          Instant heartbeat = rs.wasNull() ? null : NanoInstants.fromColumn(beat);
          return new WorkerStatus(new WorkerId(rs.getString(1)), heartbeat,
              NanoInstants.fromColumn(rs.getLong(3)), rs.getInt(4));
        }).list());
  }

  @Override
  public QueueDepth depthByState(Instant now) {
    long at = nanos(Objects.requireNonNull(now, "now"));
    return run("counting the queue by state", h -> h.createQuery(QueueViews.DEPTH)
        .bind(0, at).bind(1, at).bind(2, at).bind(3, at)
        .map((rs, ctx) -> new QueueDepth(rs.getLong(1), rs.getLong(2), rs.getLong(3),
            rs.getLong(4))).one());
  }

  @Override
  public void leave(WorkerId worker) {
    Objects.requireNonNull(worker, "worker");
    run("forgetting worker " + worker, h -> h.createUpdate(PgQueueSql.LEAVE)
        .bind("worker", worker.value()).execute());
  }

  @Override
  public long unowned(Instant now) {
    Objects.requireNonNull(now, "now");
    return run("counting unowned executions", h -> h.createQuery(PgQueueSql.UNOWNED)
        .bind("now", nanos(now)).mapTo(Long.class).one());
  }

  @Override
  public long depth() {
    return run("counting queued executions",
        h -> h.createQuery(PgQueueSql.DEPTH).mapTo(Long.class).one());
  }

  /** Instants as stored: nanoseconds since the epoch. */
  private static long nanos(Instant at) {
    return NanoInstants.toColumn(at);
  }

  private <T> T run(String action, HandleCallback<T, RuntimeException> work) {
    return errors.call(action, () -> jdbi.withHandle(work));
  }

  /** One claimed row. */
  private record Row(String id, int attempt, boolean reclaimed, long seq, int depth) {}
}
