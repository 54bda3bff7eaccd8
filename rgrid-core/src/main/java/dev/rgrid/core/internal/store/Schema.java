package dev.rgrid.core.internal.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The versioned schema of the embedded database, tracked in {@code PRAGMA user_version}.
 *
 * <p>All instants are stored as {@code INTEGER} nanoseconds since the epoch (UTC), so every
 * {@link java.time.Instant} from 1677 to 2262 comes back exactly as it went in: the JDK clock on
 * Linux has microsecond precision, and a store that truncated would hand core a record unequal to
 * the one it wrote. Structured values that are never queried live in JSON text columns.
 */
final class Schema {
  /**
   * Migration {@code i} (0-based) brings the database from version {@code i} to {@code i + 1}.
   * Append only: a released migration never changes.
   */
  static final List<List<String>> MIGRATIONS = List.of(List.of(
      """
      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        batch_id TEXT,
        spec TEXT NOT NULL,
        transitions TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        worker_id TEXT,
        exit_code INTEGER,
        failure TEXT,
        started_at INTEGER,
        finished_at INTEGER,
        cancel_requested INTEGER NOT NULL,
        log_truncated INTEGER NOT NULL,
        stdout TEXT,
        stderr TEXT,
        cached INTEGER NOT NULL,
        cached_from TEXT,
        cost_micros INTEGER NOT NULL)""",
      "CREATE INDEX executions_status ON executions (status, id)",
      "CREATE INDEX executions_batch ON executions (batch_id, id)",
      "CREATE INDEX executions_created ON executions (created_at)",
      """
      CREATE TABLE execution_labels (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (execution_id, key))""",
      "CREATE INDEX execution_labels_by_value ON execution_labels (key, value)",
      """
      CREATE TABLE log_lines (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        stream TEXT NOT NULL,
        at INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (execution_id, seq))""",
      """
      CREATE TABLE artifacts (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        blob TEXT NOT NULL,
        PRIMARY KEY (execution_id, path))""",
      // seq gives FIFO order that survives deletes (AUTOINCREMENT never reuses a value);
      // execution_id is the natural key, enforced by UNIQUE. No foreign key to executions: the
      // queue is its own SPI and works for ids the store has not seen.
      """
      CREATE TABLE queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id TEXT NOT NULL UNIQUE,
        affinity TEXT,
        hold_until INTEGER,
        not_before INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        claimed_by TEXT,
        lease_until INTEGER,
        enqueued_at INTEGER NOT NULL)""",
      "CREATE INDEX queue_claimed_by ON queue (claimed_by)",
      "CREATE INDEX queue_affinity ON queue (affinity) WHERE affinity IS NOT NULL"),
      // 2: the result cache. Rows written before it get a NULL cache key: not cacheable.
      List.of(
      "ALTER TABLE executions ADD COLUMN cache_key TEXT",
      // Partial: only keyed executions are ever looked up by key; older and uncacheable ones
      // have none and need no index entry.
      "CREATE INDEX executions_cache_key ON executions (cache_key) WHERE cache_key IS NOT NULL",
      // No foreign key to executions: like the queue, the cache SPI does not require the
      // execution to be stored here, and removing an entry must leave its execution alone.
      """
      CREATE TABLE cache_entries (
        cache_key TEXT PRIMARY KEY,
        execution_id TEXT NOT NULL,
        runtime TEXT NOT NULL,
        script_name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        hits INTEGER NOT NULL)""",
      // Serves both the most-recently-used listing and least-recently-used eviction.
      "CREATE INDEX cache_entries_last_used ON cache_entries (last_used_at)"),
      // 3: links between an execution and its retry by hand (rgrid retry).
      List.of(
      "ALTER TABLE executions ADD COLUMN retry_of TEXT",
      "ALTER TABLE executions ADD COLUMN retried_by TEXT"),
      // 4: spending limits. Costs are summed by finish time, so that time is indexed.
      List.of(
      "CREATE INDEX executions_finished_at ON executions (finished_at)"
          + " WHERE finished_at IS NOT NULL",
      "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      """
      CREATE TABLE limit_alerts (
        month TEXT NOT NULL,
        threshold INTEGER NOT NULL,
        raised_at INTEGER NOT NULL,
        PRIMARY KEY (month, threshold))"""),
      // 5: batches, and the per-batch cap on entries held at once in the queue.
      List.of(
      """
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        script_name TEXT NOT NULL,
        runtime TEXT NOT NULL,
        size INTEGER NOT NULL,
        parallel INTEGER NOT NULL,
        labels TEXT NOT NULL)""",
      "ALTER TABLE queue ADD COLUMN group_id TEXT",
      "ALTER TABLE queue ADD COLUMN group_limit INTEGER NOT NULL DEFAULT 0",
      // The claim counts a group's held entries on every call.
      "CREATE INDEX queue_group ON queue (group_id, claimed_by) WHERE group_id IS NOT NULL"),
      // 6: accounts, their API keys, the blobs each may use and its idempotency keys. Accounts
      // are never deleted, so only api_keys refers to them: the SPI names NotFoundException for
      // a key of an unknown account, and no error at all for grants or idempotency keys.
      List.of(
      """
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL)""",
      // Listing is oldest first.
      "CREATE INDEX accounts_created ON accounts (created_at, id)",
      """
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id),
        name TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER)""",
      "CREATE INDEX api_keys_account ON api_keys (account_id, created_at)",
      """
      CREATE TABLE account_blobs (
        account_id TEXT NOT NULL,
        blob_key TEXT NOT NULL,
        PRIMARY KEY (account_id, blob_key))""",
      """
      CREATE TABLE idempotency_keys (
        account_id TEXT NOT NULL,
        key TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, key))"""),
      // 7: spending limits and their alerts per scope: '' for the global limit (where the one
      // limit of version 4 goes), an account id for that account's own. The alerts table is
      // rebuilt because SQLite cannot change a primary key in place.
      List.of(
      """
      CREATE TABLE spending_limits (
        scope TEXT PRIMARY KEY,
        limit_micros INTEGER NOT NULL,
        thresholds TEXT NOT NULL)""",
      // Version 4 kept the limit as 'micros;t1,t2,...' in settings.
      """
      INSERT INTO spending_limits (scope, limit_micros, thresholds)
        SELECT '', CAST(substr(value, 1, instr(value, ';') - 1) AS INTEGER),
            substr(value, instr(value, ';') + 1)
        FROM settings WHERE key = 'spending.monthly-limit' AND instr(value, ';') > 0""",
      "DELETE FROM settings WHERE key = 'spending.monthly-limit'",
      """
      CREATE TABLE limit_alerts_by_scope (
        scope TEXT NOT NULL,
        month TEXT NOT NULL,
        threshold INTEGER NOT NULL,
        raised_at INTEGER NOT NULL,
        PRIMARY KEY (scope, month, threshold))""",
      """
      INSERT INTO limit_alerts_by_scope (scope, month, threshold, raised_at)
        SELECT '', month, threshold, raised_at FROM limit_alerts""",
      "DROP TABLE limit_alerts",
      "ALTER TABLE limit_alerts_by_scope RENAME TO limit_alerts"),
      // 8: idempotency keys expire; pruning deletes those remembered before a time.
      List.of("CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)"),
      // 9: workers announce themselves by heartbeat, so a client that only submits can tell
      // whether anything will run its work.
      List.of("CREATE TABLE workers (worker_id TEXT PRIMARY KEY, alive_until INTEGER NOT NULL)"),
      // 10: named secrets per scope ('' or an account id), only as ciphertext; the key id says
      // which master key encrypted each, so a rotation finds what it has left to do.
      List.of(
      """
      CREATE TABLE secrets (
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        key_id TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (scope, name))""",
      "CREATE INDEX secrets_key_id ON secrets (key_id)"),
      // 11: retention. Ended executions are paged by finish time then id, removing one removes
      // the cache entries that point at it, and one a kept cache hit reuses stays.
      List.of(
      "CREATE INDEX executions_ended ON executions (finished_at, id)"
          + " WHERE finished_at IS NOT NULL",
      "CREATE INDEX executions_cached_from ON executions (cached_from)"
          + " WHERE cached_from IS NOT NULL",
      "CREATE INDEX cache_entries_execution ON cache_entries (execution_id)"),
      // 12: read-only API keys see everything of their account and change nothing; executions
      // are listed by script name and by start time (then id, the listing's order);
      List.of("ALTER TABLE api_keys ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0",
      "CREATE INDEX executions_script ON executions (json_extract(spec, '$.scriptName'), id)",
      "CREATE INDEX executions_started ON executions (started_at, id)"
          + " WHERE started_at IS NOT NULL",
      // and a worker's last heartbeat is kept beside its expiry, for people watching workers.
      "ALTER TABLE workers ADD COLUMN heartbeat_at INTEGER"),
      // 13: alerts that reach people: a webhook per scope ('' or an account id; its signing
      // secret only as ciphertext), the outbox of alerts to deliver (one row per event id, so an
      // event offered by several processes is kept once), and each account's own retention.
      List.of(
      """
      CREATE TABLE webhooks (
        scope TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        key_id TEXT NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at INTEGER NOT NULL)""",
      """
      CREATE TABLE alert_outbox (
        id TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT)""",
      "CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at, id)"
          + " WHERE status = 'PENDING'",
      """
      CREATE TABLE account_retention (
        account_id TEXT PRIMARY KEY,
        days INTEGER NOT NULL)"""),
      // 14: runs that wait for others. One row per parent a WAITING child still waits for; a
      // queue entry with a row here is not claimable. The rows go when the parent ends.
      List.of(
      """
      CREATE TABLE execution_parents (
        child_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        parent_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        PRIMARY KEY (child_id, parent_id))""",
      "CREATE INDEX execution_parents_parent ON execution_parents (parent_id)"),
      // 15: depth-first claims. An entry's depth is how many of its ancestors were still queued
      // when it was queued; claims take the deepest claimable entries first, so a pipeline step
      // released by its parent's end goes before fresh roots, as make does. Older entries are
      // roots (0).
      List.of("ALTER TABLE queue ADD COLUMN depth INTEGER NOT NULL DEFAULT 0"));

  private Schema() {}

  /** The schema version this code writes. */
  static int latestVersion() {
    return MIGRATIONS.size();
  }

  /** The version stored in the database header. */
  static int version(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Applies the missing migrations, each in its own IMMEDIATE transaction that re-reads the
   * version after taking the write lock: when two processes open a fresh file at once, the second
   * waits for the first and then finds nothing left to do.
   *
   * @return the version found, or -1 when the file is newer than this code (nothing was changed)
   */
  static int migrate(Connection c) throws SQLException {
    int found = version(c);
    if (found == latestVersion()) {
      return found; // the usual case: no write lock needed to open an up-to-date file
    }
    for (int step = found + 1; step <= latestVersion(); step++) {
      int target = step;
      boolean newer = SqliteDatabase.immediate(c, () -> {
        int current = version(c);
        if (current > latestVersion()) {
          return true;
        }
        if (current < target) {
          try (Statement s = c.createStatement()) {
            for (String sql : MIGRATIONS.get(target - 1)) {
              s.execute(sql);
            }
            // PRAGMA takes no parameters; target is our own int, never user input.
            s.execute("PRAGMA user_version = " + target);
          }
        }
        return false;
      });
      if (newer) {
        return -1;
      }
    }
    return found > latestVersion() ? -1 : version(c);
  }
}
