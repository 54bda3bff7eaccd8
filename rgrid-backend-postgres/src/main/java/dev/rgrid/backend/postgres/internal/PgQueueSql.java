package dev.rgrid.backend.postgres.internal;

/**
 * The statements of {@link PgExecutionQueue}, kept apart so the queue class reads as the protocol
 * around them. Named parameters: {@code :now} and {@code :until} are nanoseconds since the epoch,
 * {@code :worker} the claimer's id.
 */
final class PgQueueSql {
  /**
   * The advisory lock serialising claims that may take entries of a limited group ("rgrid_q" in
   * ASCII). Advisory locks are per database, so it cannot meet another RGrid installation's.
   */
  static final long GROUP_CLAIM_LOCK = 0x72677269645F71L;

  /**
   * The claim order: deepest first, then oldest. A run released by its parent's end (a step of a
   * pipeline) goes before fresh roots and before the earlier steps still queued, so an item's
   * next step starts as soon as its own previous one ended, as {@code make -j} does, instead of
   * every step waiting behind the whole of the one before it (three steps would behave as three
   * barriers). Among entries of one depth, oldest first as ever. The indexes {@code
   * queue_ungrouped_depth} and {@code queue_limited_group_depth} (V11) are in this order, so
   * claims still read only the head of the queue.
   */
  static final String DEPTH_FIRST = "depth DESC, seq";

  /**
   * Inserts an entry, with its depth: one more than the deepest entry among the parents it still
   * waits for, or 0 without one. A parent still has an edge only while it has not ended, and its
   * entry stays until its worker completes it after the end, so a chain's entries count up along
   * it; a child whose parents all ended is claimable at once and takes its place among the roots.
   * Read in the INSERT (index probes on both primary keys), so no caller has to know of depths;
   * a retry or give-back is an UPDATE of the same row ({@link #RELEASE}) and keeps its depth.
   */
  static final String ENQUEUE = "INSERT INTO queue (execution_id, affinity, hold_until,"
      + " not_before, attempt, enqueued_at, group_id, group_limit, depth)"
      + " VALUES (:id, :affinity, :holdUntil, :notBefore, :attempt, :now, :group, :groupLimit,"
      + " (SELECT coalesce(max(p.depth) + 1, 0) FROM execution_parents w"
      + " JOIN queue p ON p.execution_id = w.parent_id WHERE w.child_id = :id))";

  /** The claiming statements over every claimable entry ({@code ExecutionQueue.claim}). */
  static final Claiming ANY = Claiming.over(PgQueueSql::claimable);

  /** The claiming statements over the claimer's own entries ({@code ExecutionQueue.claimOwn}). */
  static final Claiming OWN = Claiming.over(PgQueueSql::own);

  /** Takes {@link #GROUP_CLAIM_LOCK} until the transaction ends. */
  static final String LOCK_GROUP_CLAIMS = "SELECT 1 FROM pg_advisory_xact_lock(:key)";

  /**
   * The statements that claim, over the entries one condition calls claimable.
   *
   * @param selectLimitedGroupWaiting whether a limited group has claimable entries: then claims
   *     must take the advisory lock, since only a claimer that sees every other's grouped claims
   *     can count a group's held entries. The partial index {@code queue_limited_group_depth}
   *     makes it free while no limited group is queued
   * @param claimUngrouped the lock-free claim of ungrouped (or unlimited) work, one statement:
   *     SKIP LOCKED lets concurrent claimers pass each other's rows, and the FOR UPDATE re-check
   *     keeps one entry from two workers. It claims nothing while a limited group is waiting, so
   *     the locked path keeps the claim order ({@link #DEPTH_FIRST}) across both kinds
   * @param candidates under the advisory lock, the first claimable entries in the claim order,
   *     grouped or not: the same set as ranking every claimable entry within its group, without
   *     reading the whole queue. The first ungrouped entries come from {@code
   *     queue_ungrouped_depth}; the limited groups are listed by a loose scan of {@code
   *     queue_limited_group_depth} (one index probe per group), and each group gives only its
   *     free places (its limit less its entries held under live leases), deepest then oldest,
   *     from the same index. So one claim never takes more than a group's free places, a limited
   *     group hands out its deepest entries first, a full group costs nothing, and a full group
   *     never hides the work queued after it
   * @param claimCandidates claims the candidates still claimable. SKIP LOCKED passes rows a
   *     lock-free claimer (or a completing worker) is touching; skipping only ever claims less,
   *     never past a limit
   */
  record Claiming(String selectLimitedGroupWaiting, String claimUngrouped, String candidates,
      String claimCandidates) {
    static Claiming over(java.util.function.UnaryOperator<String> claimable) {
      String limitedGroupWaiting = "EXISTS (SELECT 1 FROM queue g"
          + " WHERE g.group_id IS NOT NULL AND g.group_limit > 0 AND " + claimable.apply("g.")
          + ")";
      return new Claiming("SELECT " + limitedGroupWaiting,
          "WITH picked AS (SELECT seq, claimed_by AS was FROM queue"
              + " WHERE group_limit = 0 AND " + claimable.apply("") + " AND NOT "
              + limitedGroupWaiting + " ORDER BY " + DEPTH_FIRST
              + " LIMIT :max FOR UPDATE SKIP LOCKED) "
              + markClaimed(),
          "WITH RECURSIVE groups (id, group_limit) AS ("
              + "(SELECT group_id, group_limit FROM queue WHERE group_limit > 0"
              + " ORDER BY group_id, " + DEPTH_FIRST + " LIMIT 1)"
              + " UNION ALL SELECT n.group_id, n.group_limit FROM groups CROSS JOIN LATERAL"
              + " (SELECT group_id, group_limit FROM queue WHERE group_limit > 0"
              + " AND group_id > groups.id ORDER BY group_id, " + DEPTH_FIRST
              + " LIMIT 1) n),"
              + " held AS (SELECT group_id, count(*) AS n FROM queue WHERE group_limit > 0"
              + " AND claimed_by IS NOT NULL AND lease_until > :now GROUP BY group_id),"
              + " free AS (SELECT groups.id, groups.group_limit - coalesce(held.n, 0) AS places"
              + " FROM groups LEFT JOIN held ON held.group_id = groups.id)"
              + " (SELECT seq, depth FROM queue WHERE group_limit = 0 AND "
              + claimable.apply("") + " ORDER BY " + DEPTH_FIRST + " LIMIT :max)"
              + " UNION ALL (SELECT p.seq, p.depth FROM free CROSS JOIN LATERAL (SELECT seq, depth"
              + " FROM queue WHERE group_limit > 0 AND group_id = free.id AND "
              + claimable.apply("") + " ORDER BY " + DEPTH_FIRST
              + " LIMIT greatest(0, least(free.places, :max))) p)"
              + " ORDER BY " + DEPTH_FIRST + " LIMIT :max",
          "WITH picked AS (SELECT seq, claimed_by AS was FROM queue"
              + " WHERE seq = ANY(:seqs) AND " + claimable.apply("") + " FOR UPDATE SKIP LOCKED) "
              + markClaimed());
    }
  }

  /**
   * Extends the worker's affinity holds and leases and records it alive until the same time, in
   * one statement (the parts see one snapshot and touch disjoint rows), returning the ids still
   * held.
   */
  static final String RENEW = "WITH holds AS (UPDATE queue SET hold_until = :until"
      + " WHERE claimed_by IS NULL AND affinity = :worker),"
      + " alive AS (INSERT INTO workers (worker_id, alive_until, heartbeat_at)"
      + " VALUES (:worker, :until, :now) ON CONFLICT (worker_id) DO UPDATE"
      + " SET alive_until = excluded.alive_until, heartbeat_at = excluded.heartbeat_at)"
      + " UPDATE queue SET lease_until = :until WHERE claimed_by = :worker RETURNING execution_id";

  /** Removes a finished entry the worker holds; returns its group limit. */
  static final String COMPLETE = "DELETE FROM queue WHERE execution_id = :id"
      + " AND claimed_by = :worker RETURNING group_limit";

  /** The channel on which queue changes are announced (see {@link PgNotifications}). */
  static final String CHANNEL = "rgrid_queue";

  /** Announces a change; delivered to listeners when the surrounding transaction commits. */
  static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', '')";

  /**
   * Gives a held entry back, with {@code :attempt} (or the same attempt when null). A worker giving
   * back its own affine work is alive: its hold lasts at least as long as the lease it just gave
   * up, so the entry is not snatched before its next heartbeat. SET reads the old lease_until.
   */
  static final String RELEASE = "UPDATE queue SET claimed_by = NULL, lease_until = NULL,"
      + " not_before = :notBefore, attempt = coalesce(:attempt, attempt),"
      + " hold_until = CASE WHEN affinity = :worker"
      + " THEN greatest(coalesce(hold_until, lease_until), lease_until) ELSE hold_until END"
      + " WHERE execution_id = :id AND claimed_by = :worker";

  /** Removes an entry whatever its state. */
  static final String REMOVE = "DELETE FROM queue WHERE execution_id = :id";

  /** The workers whose heartbeat has not lapsed. */
  static final String LIVE_WORKERS = "SELECT worker_id FROM workers WHERE alive_until > :now"
      + " ORDER BY worker_id";

  /** Forgets a worker that stopped. */
  static final String LEAVE = "DELETE FROM workers WHERE worker_id = :worker";

  /**
   * Counts the entries no live worker holds or reserves, whatever their not-before time, waiting
   * for parents or not.
   */
  static final String UNOWNED = "SELECT count(*) FROM queue WHERE (claimed_by IS NULL"
      + " AND (affinity IS NULL OR hold_until <= :now))"
      + " OR (claimed_by IS NOT NULL AND lease_until <= :now)";

  /** Counts the unclaimed entries. */
  static final String DEPTH = "SELECT count(*) FROM queue WHERE claimed_by IS NULL AND "
      + released("queue.");

  private PgQueueSql() {}

  /**
   * Entries past their not-before time that are unclaimed and either free, the claimer's own or
   * left by a worker whose hold lapsed; or claimed under a lapsed lease. A deadline counts as
   * lapsed from the instant it names.
   */
  private static String claimable(String t) {
    return "(" + t + "not_before <= :now AND ((" + t + "claimed_by IS NULL AND (" + t
        + "affinity IS NULL OR " + t + "affinity = :worker OR " + t + "hold_until <= :now))"
        + " OR (" + t + "claimed_by IS NOT NULL AND " + t + "lease_until <= :now)) AND "
        + released(t.isEmpty() ? "queue." : t) + ")";
  }

  /** Unclaimed entries past their not-before time reserved for the claimer. */
  private static String own(String t) {
    return "(" + t + "not_before <= :now AND " + t + "claimed_by IS NULL AND " + t
        + "affinity = :worker AND " + released(t.isEmpty() ? "queue." : t) + ")";
  }

  /**
   * Not waiting for a parent: the entry of an execution that waits for others is there from its
   * submission, but claimable only once the store released it (its last row in {@code
   * execution_parents} goes in the transaction that ends its last parent, which also NOTIFYs).
   * An index probe on the primary key of {@code execution_parents}; {@code t} qualifies the
   * queue's columns.
   */
  private static String released(String t) {
    return "NOT EXISTS (SELECT 1 FROM execution_parents w WHERE w.child_id = " + t
        + "execution_id)";
  }

  /**
   * Marks the rows of the {@code picked} CTE as claimed; an entry taken over from a lost worker
   * starts the next attempt. RETURNING has no order: the caller sorts in {@link #DEPTH_FIRST}
   * order.
   */
  private static String markClaimed() {
    return "UPDATE queue q SET claimed_by = :worker, lease_until = :until,"
        + " attempt = q.attempt + CASE WHEN picked.was IS NOT NULL THEN 1 ELSE 0 END"
        + " FROM picked WHERE q.seq = picked.seq"
        + " RETURNING q.execution_id, q.attempt, picked.was IS NOT NULL AS reclaimed, q.seq,"
        + " q.depth";
  }
}
