package dev.rgrid.core.internal.store;

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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link ExecutionQueue} on an embedded {@link SqliteDatabase}.
 *
 * <p>An entry is unclaimed while {@code claimed_by} is null. A deadline counts as lapsed from the
 * instant it names: a lease until {@code t} is claimable by others at {@code t}, and so is a hold.
 * A worker keeps a lapsed lease (and may renew or complete it) until another worker actually takes
 * the entry, since nobody else depends on it before then.
 */
final class SqliteExecutionQueue extends SqliteView implements ExecutionQueue {
  /**
   * Entries past their not-before time that are unclaimed and either free, the claimer's own or
   * left by a worker whose hold lapsed; or claimed under a lapsed lease.
   */
  private static final String CLAIMABLE = "not_before <= ?1 AND ("
      + "(claimed_by IS NULL AND (affinity IS NULL OR affinity = ?2 OR hold_until <= ?1))"
      + " OR (claimed_by IS NOT NULL AND lease_until <= ?1))";

  /**
   * Not waiting for a parent: an execution that waits for others is queued at once, but only
   * becomes claimable when the store releases it (its last row in {@code execution_parents} goes
   * in the transaction that ends its last parent).
   */
  private static final String RELEASED = "NOT EXISTS (SELECT 1 FROM execution_parents w"
      + " WHERE w.child_id = queue.execution_id)";

  /** Unclaimed entries past their not-before time reserved for the claimer ({@code ?2}). */
  private static final String OWN = "not_before <= ?1 AND claimed_by IS NULL AND affinity = ?2"
      + " AND " + RELEASED;

  /**
   * Entries no live worker holds or reserves at {@code ?1}, whatever their not-before time, and
   * waiting or not: a process that adopts work keeps living while such a one waits.
   */
  private static final String UNOWNED = "(claimed_by IS NULL AND (affinity IS NULL"
      + " OR hold_until <= ?1)) OR (claimed_by IS NOT NULL AND lease_until <= ?1)";

  /**
   * The claim order: deepest first, then oldest. A run released by its parent's end (a step of a
   * pipeline) goes before fresh roots and before the earlier steps still queued, so an item's
   * next step starts as soon as its own previous one ended, as {@code make -j} does, instead of
   * every step waiting behind the whole of the one before it (three steps would behave as three
   * barriers). Among entries of one depth, oldest first as ever.
   */
  private static final String DEPTH_FIRST = "depth DESC, seq";

  /**
   * The depth of the entry being queued ({@code ?1} its execution id): one more than the deepest
   * entry among the parents it still waits for, or 0 without one. A parent still has an edge only
   * while it has not ended, and its entry stays until its worker completes it after the end, so
   * a chain's entries count up along it; a child whose parents all ended is claimable at once and
   * takes its place among the roots. Read in the INSERT, so no caller has to know of depths; a
   * retry is an UPDATE of the same row and keeps its depth.
   */
  private static final String DEPTH = "(SELECT coalesce(max(p.depth) + 1, 0)"
      + " FROM execution_parents w JOIN queue p ON p.execution_id = w.parent_id"
      + " WHERE w.child_id = ?1)";

  private static final String CANDIDATES = candidates(CLAIMABLE + " AND " + RELEASED);
  private static final String OWN_CANDIDATES = candidates(OWN);

  SqliteExecutionQueue(SqliteDatabase db) {
    super(db);
  }

  /**
   * The entries {@code claimable} names, deepest first, then oldest ({@link #DEPTH_FIRST}). An
   * entry of a limited group is a candidate only while its rank among the group's claimable
   * entries, in that same order, plus the group's entries held under live leases, stays within
   * the limit: so one claim never takes more than a group's free places, a limited group hands
   * out its deepest entries first, and a full group never hides the work queued after it.
   */
  private static String candidates(String claimable) {
    return "WITH held AS (SELECT group_id, count(*) AS n"
        + " FROM queue WHERE group_id IS NOT NULL AND claimed_by IS NOT NULL AND lease_until > ?1"
        + " GROUP BY group_id),"
        + " c AS (SELECT seq, depth, execution_id, attempt, claimed_by, group_id, group_limit,"
        + " row_number() OVER (PARTITION BY group_id ORDER BY " + DEPTH_FIRST + ") AS group_rank"
        + " FROM queue WHERE " + claimable + ")"
        + " SELECT c.seq, c.execution_id, c.attempt, c.claimed_by FROM c"
        + " LEFT JOIN held ON held.group_id = c.group_id"
        + " WHERE c.group_limit = 0 OR c.group_rank + coalesce(held.n, 0) <= c.group_limit"
        + " ORDER BY " + DEPTH_FIRST + " LIMIT ?3";
  }

  @Override
  public void enqueue(QueueEntry entry, Instant now, Duration hold) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(hold, "hold");
    db().write("queueing execution " + entry.executionId(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue (execution_id, affinity,"
          + " hold_until, not_before, attempt, enqueued_at, group_id, group_limit, depth)"
          + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " + DEPTH + ")")) {
        ps.setString(1, entry.executionId().value());
        if (entry.affinity() == null) {
          ps.setNull(2, Types.VARCHAR);
          ps.setNull(3, Types.INTEGER);
        } else {
          ps.setString(2, entry.affinity().value());
          ps.setLong(3, NanoInstants.toColumn(now.plus(hold)));
        }
        ps.setLong(4, NanoInstants.toColumn(entry.notBefore()));
        ps.setInt(5, entry.attempt());
        ps.setLong(6, NanoInstants.toColumn(now));
        ps.setString(7, entry.group());
        ps.setInt(8, entry.groupLimit());
        ps.executeUpdate();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("execution " + entry.executionId()
              + " is already queued or claimed", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
    return claim(CANDIDATES, worker, max, now, lease);
  }

  @Override
  public List<Claim> claimOwn(WorkerId worker, int max, Instant now, Duration lease) {
    return claim(OWN_CANDIDATES, worker, max, now, lease);
  }

  private List<Claim> claim(String candidates, WorkerId worker, int max, Instant now,
      Duration lease) {
    StoreChecks.requireClaim(worker, max, now, lease);
    Instant leaseUntil = now.plus(lease);
    // Selecting and marking in one IMMEDIATE transaction: the write lock is held from the first
    // read, so no other connection can pick the same rows between the two statements.
    return db().write("claiming work for " + worker, c -> {
      List<Claim> claims = new ArrayList<>();
      List<Long> seqs = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(candidates)) {
        ps.setLong(1, NanoInstants.toColumn(now));
        ps.setString(2, worker.value());
        ps.setInt(3, max);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            boolean reclaimed = rs.getString(4) != null;
            int attempt = rs.getInt(3) + (reclaimed ? 1 : 0);
            seqs.add(rs.getLong(1));
            claims.add(new Claim(new ExecutionId(rs.getString(2)), worker, attempt, leaseUntil,
                reclaimed));
          }
        }
      }
      if (claims.isEmpty()) {
        return claims;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE queue SET claimed_by = ?, lease_until = ?, attempt = ? WHERE seq = ?")) {
        for (int i = 0; i < claims.size(); i++) {
          ps.setString(1, worker.value());
          ps.setLong(2, NanoInstants.toColumn(leaseUntil));
          ps.setInt(3, claims.get(i).attempt());
          ps.setLong(4, seqs.get(i));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return claims;
    });
  }

  @Override
  public List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease) {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    long until = NanoInstants.toColumn(now.plus(lease));
    return db().write("renewing the leases of " + worker, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE queue SET hold_until = ? WHERE claimed_by IS NULL AND affinity = ?")) {
        ps.setLong(1, until);
        ps.setString(2, worker.value());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO workers (worker_id,"
          + " alive_until, heartbeat_at) VALUES (?, ?, ?) ON CONFLICT (worker_id) DO UPDATE"
          + " SET alive_until = excluded.alive_until, heartbeat_at = excluded.heartbeat_at")) {
        ps.setString(1, worker.value());
        ps.setLong(2, until);
        ps.setLong(3, NanoInstants.toColumn(now));
        ps.executeUpdate();
      }
      List<ExecutionId> held = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET lease_until = ?"
          + " WHERE claimed_by = ? RETURNING execution_id")) {
        ps.setLong(1, until);
        ps.setString(2, worker.value());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            held.add(new ExecutionId(rs.getString(1)));
          }
        }
      }
      held.sort(null);
      return held;
    });
  }

  @Override
  public boolean complete(ExecutionId id, WorkerId worker) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    return db().write("completing queued execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM queue WHERE execution_id = ? AND claimed_by = ?")) {
        ps.setString(1, id.value());
        ps.setString(2, worker.value());
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public boolean release(ExecutionId id, WorkerId worker, Instant notBefore) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(notBefore, "notBefore");
    return db().write("releasing queued execution " + id, c -> {
      // A worker giving back its own affine work is alive: its hold lasts at least as long as the
      // lease it just gave up, so the entry is not snatched before its next heartbeat.
      try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET claimed_by = NULL,"
          + " lease_until = NULL, not_before = ?1,"
          + " hold_until = CASE WHEN affinity = ?3 THEN max(coalesce(hold_until, lease_until),"
          + " lease_until) ELSE hold_until END"
          + " WHERE execution_id = ?2 AND claimed_by = ?3")) {
        ps.setLong(1, NanoInstants.toColumn(notBefore));
        ps.setString(2, id.value());
        ps.setString(3, worker.value());
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public boolean retry(ExecutionId id, WorkerId worker, Instant notBefore, int attempt) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(notBefore, "notBefore");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return db().write("queueing execution " + id + " for attempt " + attempt, c -> {
      // As release, with the attempt the next claim starts.
      try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET claimed_by = NULL,"
          + " lease_until = NULL, not_before = ?1, attempt = ?4,"
          + " hold_until = CASE WHEN affinity = ?3 THEN max(coalesce(hold_until, lease_until),"
          + " lease_until) ELSE hold_until END"
          + " WHERE execution_id = ?2 AND claimed_by = ?3")) {
        ps.setLong(1, NanoInstants.toColumn(notBefore));
        ps.setString(2, id.value());
        ps.setString(3, worker.value());
        ps.setInt(4, attempt);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public boolean remove(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return db().write("removing queued execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue WHERE execution_id = ?")) {
        ps.setString(1, id.value());
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public List<WorkerId> liveWorkers(Instant now) {
    Objects.requireNonNull(now, "now");
    return db().read("listing live workers", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT worker_id FROM workers"
          + " WHERE alive_until > ? ORDER BY worker_id")) {
        ps.setLong(1, NanoInstants.toColumn(now));
        List<WorkerId> live = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            live.add(new WorkerId(rs.getString(1)));
          }
        }
        return live;
      }
    });
  }

  @Override
  public List<WorkerStatus> workers(Instant now) {
    long at = NanoInstants.toColumn(Objects.requireNonNull(now, "now"));
    return db().read("listing workers", c -> {
      try (PreparedStatement ps = c.prepareStatement(QueueViews.WORKERS)) {
        ps.setLong(1, at);
        ps.setLong(2, at);
        List<WorkerStatus> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long beat = rs.getLong(2);
            Instant heartbeat = rs.wasNull() ? null : NanoInstants.fromColumn(beat);
            out.add(new WorkerStatus(new WorkerId(rs.getString(1)), heartbeat,
                NanoInstants.fromColumn(rs.getLong(3)), rs.getInt(4)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public QueueDepth depthByState(Instant now) {
    long at = NanoInstants.toColumn(Objects.requireNonNull(now, "now"));
    return db().read("counting the queue by state", c -> {
      try (PreparedStatement ps = c.prepareStatement(QueueViews.DEPTH)) {
        for (int i = 1; i <= 4; i++) {
          ps.setLong(i, at);
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new QueueDepth(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
      }
    });
  }

  @Override
  public void leave(WorkerId worker) {
    Objects.requireNonNull(worker, "worker");
    db().write("forgetting worker " + worker, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM workers WHERE worker_id = ?")) {
        ps.setString(1, worker.value());
        return ps.executeUpdate();
        }
      });
    }

  @Override
  public long unowned(Instant now) {
    Objects.requireNonNull(now, "now");
    return db().read("counting unowned executions", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*) FROM queue WHERE " + UNOWNED)) {
        ps.setLong(1, NanoInstants.toColumn(now));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  @Override
  public long depth() {
    return db().read("counting queued executions", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*) FROM queue WHERE claimed_by IS NULL AND " + RELEASED);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }
}
