package dev.rgrid.store.sql;

/**
 * The queue's read-only views for people watching it (workers, depth by state), the same SQL on
 * SQLite and PostgreSQL. Every {@code ?} is the same instant, "now", as a column value.
 */
public final class QueueViews {
  /**
   * The live workers by id: id, last heartbeat (NULL when an older version recorded it), alive
   * until, and how many entries each holds under a live lease. Two parameters.
   */
  public static final String WORKERS = "SELECT w.worker_id, w.heartbeat_at, w.alive_until,"
      + " (SELECT count(*) FROM queue q WHERE q.claimed_by = w.worker_id AND q.lease_until > ?)"
      + " FROM workers w WHERE w.alive_until > ? ORDER BY w.worker_id";

  /**
   * Ready, delayed, running and lapsed entries, in one row. Four parameters. The entry of a run
   * that still waits for its parents is not counted: it cannot be claimed yet (its execution is
   * WAITING, which the executions list shows).
   */
  public static final String DEPTH = "SELECT"
      + " COALESCE(SUM(CASE WHEN claimed_by IS NULL AND not_before <= ? THEN 1 ELSE 0 END), 0),"
      + " COALESCE(SUM(CASE WHEN claimed_by IS NULL AND not_before > ? THEN 1 ELSE 0 END), 0),"
      + " COALESCE(SUM(CASE WHEN claimed_by IS NOT NULL AND lease_until > ? THEN 1 ELSE 0 END),"
      + " 0),"
      + " COALESCE(SUM(CASE WHEN claimed_by IS NOT NULL AND lease_until <= ? THEN 1 ELSE 0 END),"
      + " 0) FROM queue"
      + " WHERE NOT EXISTS (SELECT 1 FROM execution_parents p"
      + " WHERE p.child_id = queue.execution_id)";

  private QueueViews() {}
}
