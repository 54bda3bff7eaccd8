package dev.rgrid.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The SQL of {@link RetentionStore}, the same on SQLite and PostgreSQL: both keep instants as
 * integer nanoseconds and ids as byte-ordered text. The callers own the transaction: {@link
 * #removeEnded} must run in one (an IMMEDIATE one on SQLite), the reads need none.
 */
public final class RetentionSql {
  /** Ended, as SQL: the statuses after which an execution never changes again. */
  private static final String ENDED = "status IN (" + Arrays.stream(ExecutionStatus.values())
      .filter(ExecutionStatus::isTerminal).map(s -> "'" + s.name() + "'")
      .collect(Collectors.joining(", ")) + ")";
  private static final String REMOVABLE = ENDED + " AND finished_at IS NOT NULL"
      + " AND finished_at < ?";
  /**
   * {@link #ENDED} in a form no index serves ({@code status || ''}), for the paging query: given
   * the choice, the planners took the index on status and sorted every ended execution for each
   * page, where the index on (finished_at, id) reads just the page.
   */
  private static final String PAGED = ENDED.replace("status IN", "status || '' IN")
      + " AND finished_at IS NOT NULL AND finished_at < ?";

  private RetentionSql() {}

  /** Where a database keeps an execution's labels, which says how to find its account. */
  public enum Labels {
    /** Rows of {@code execution_labels (execution_id, key, value)}, as SQLite keeps them. */
    TABLE,
    /** A JSONB column {@code labels} of {@code executions}, as PostgreSQL keeps them. */
    JSONB;

    /** SQL true for an execution labelled with one of {@code n} account ids bound in order. */
    String anyOf(int n) {
      return this == TABLE
          ? "EXISTS (SELECT 1 FROM execution_labels l WHERE l.execution_id = executions.id"
              + " AND l.key = '" + AccountId.LABEL + "' AND l.value IN (" + marks(n) + "))"
          : "coalesce(labels ->> '" + AccountId.LABEL + "', '') IN (" + marks(n) + ")";
    }
  }

  /** See {@link RetentionStore#endedBefore}. */
  public static List<EndedExecution> endedBefore(Connection c, Labels labels, Instant cutoff,
      EndedExecution after, int limit, RetentionScope scope) throws SQLException {
    Objects.requireNonNull(cutoff, "cutoff");
    Objects.requireNonNull(scope, "scope");
    RetentionStore.checkLimit(limit);
    // A row value comparison: both databases read it straight off the (finished_at, id) index.
    String keyset = after == null ? "" : " AND (finished_at, id) > (?, ?)";
    // Tested per execution the finish-time index yields (SQLite by the labels' key).
    Set<AccountId> named = scope.account().map(Set::of).orElse(scope.except());
    String accounts = named.isEmpty() ? ""
        : (scope.account().isPresent() ? " AND " : " AND NOT ") + labels.anyOf(named.size());
    try (PreparedStatement ps = c.prepareStatement("SELECT id, finished_at FROM executions"
        + " WHERE " + PAGED + keyset + accounts + " ORDER BY finished_at, id LIMIT ?")) {
      int i = 1;
      ps.setLong(i++, NanoInstants.toBound(cutoff));
      if (after != null) {
        ps.setLong(i++, NanoInstants.toColumn(after.finishedAt()));
        ps.setString(i++, after.id().value());
      }
      for (AccountId a : named) {
        ps.setString(i++, a.value());
      }
      ps.setInt(i, limit);
      List<EndedExecution> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new EndedExecution(ExecutionId.of(rs.getString(1)),
              NanoInstants.fromColumn(rs.getLong(2))));
        }
      }
      return out;
    }
  }

  /** See {@link RetentionStore#setRetentionDays}. */
  public static void setRetentionDays(Connection c, AccountId account, Integer days)
      throws SQLException {
    Objects.requireNonNull(account, "account");
    if (days == null) {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM account_retention WHERE account_id = ?")) {
        ps.setString(1, account.value());
        ps.executeUpdate();
      }
      return;
    }
    RetentionStore.checkDays(days);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO account_retention (account_id,"
        + " days) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET days = excluded.days")) {
      ps.setString(1, account.value());
      ps.setInt(2, days);
      ps.executeUpdate();
    }
  }

  /** See {@link RetentionStore#retentionDays}. */
  public static Map<AccountId, Integer> retentionDays(Connection c) throws SQLException {
    Map<AccountId, Integer> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT account_id, days FROM account_retention ORDER BY account_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (AccountId.isAccountId(rs.getString(1))) { // only ids are ever written
          out.put(AccountId.of(rs.getString(1)), rs.getInt(2));
        }
      }
    }
    return out;
  }

  /** See {@link RetentionStore#removeEnded}; run it in one transaction (a read for a dry run). */
  public static Removal removeEnded(Connection c, Collection<ExecutionId> ids, Instant cutoff,
      boolean dryRun) throws SQLException {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(cutoff, "cutoff");
    if (ids.size() > RetentionStore.MAX_PAGE) {
      throw new IllegalArgumentException("at most " + RetentionStore.MAX_PAGE
          + " executions are removed at once, not " + ids.size());
    }
    if (ids.isEmpty()) {
      return Removal.NONE;
    }
    long bound = NanoInstants.toBound(cutoff);
    // Re-read under the transaction: only what is still ended before the cutoff goes, and not
    // an execution whose result a kept cache hit reuses (the hit shows its log lines).
    List<String> gone = new ArrayList<>();
    Set<String> batchIds = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, batch_id FROM executions e"
        + " WHERE id IN (" + marks(ids.size()) + ") AND " + REMOVABLE
        + " AND NOT EXISTS (SELECT 1 FROM executions h WHERE h.cached_from = e.id"
        + " AND (h.finished_at IS NULL OR h.finished_at >= ?))")) {
      int i = 1;
      for (ExecutionId id : ids) {
        ps.setString(i++, id.value());
      }
      ps.setLong(i++, bound);
      ps.setLong(i, bound);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          gone.add(rs.getString(1));
          if (rs.getString(2) != null) {
            batchIds.add(rs.getString(2));
          }
        }
      }
    }
    if (gone.isEmpty()) {
      return Removal.NONE;
    }
    long logLines = dryRun ? count(c, "log_lines", gone) : delete(c, "log_lines", gone);
    long artifacts = dryRun ? count(c, "artifacts", gone) : delete(c, "artifacts", gone);
    long cache = dryRun ? count(c, "cache_entries", gone) : delete(c, "cache_entries", gone);
    if (!dryRun) {
      runWithIds(c, "DELETE FROM executions WHERE id IN (" + marks(gone.size()) + ")", gone);
    }
    List<BatchId> batches = emptiedBatches(c, List.copyOf(batchIds), dryRun, bound);
    return new Removal(gone.size(), logLines, Math.toIntExact(artifacts), Math.toIntExact(cache),
        batches);
  }

  /** See {@link RetentionStore#blobReferences}. */
  public static BlobReferences blobReferences(Connection c, ExecutionId after,
      Instant skipEndedBefore, int limit) throws SQLException {
    RetentionStore.checkLimit(limit);
    List<BlobKey> keys = new ArrayList<>();
    List<String> page = new ArrayList<>();
    String last = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, spec, stdout, stderr, status,"
        + " finished_at FROM executions" + (after == null ? "" : " WHERE id > ?")
        + " ORDER BY id LIMIT ?")) {
      int i = 1;
      if (after != null) {
        ps.setString(i++, after.value());
      }
      ps.setInt(i, limit);
      int rows = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
          last = rs.getString(1);
          Instant finished = NanoInstants.read(rs, "finished_at");
          if (skipEndedBefore != null && finished != null
              && ExecutionStatus.valueOf(rs.getString(5)).isTerminal()
              && finished.isBefore(skipEndedBefore)) {
            continue;
          }
          page.add(last);
          addSpec(keys, rs.getString(2), last);
          addKey(keys, rs.getString(3));
          addKey(keys, rs.getString(4));
        }
      }
      if (rows < limit) {
        last = null;
      }
    }
    if (!page.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT blob FROM artifacts WHERE"
          + " execution_id IN (" + marks(page.size()) + ")")) {
        for (int i = 0; i < page.size(); i++) {
          ps.setString(i + 1, page.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            addKey(keys, rs.getString(1));
          }
        }
      }
    }
    return new BlobReferences(keys, last == null ? null : ExecutionId.of(last));
  }

  /**
   * The batches among {@code ids} left with no execution (in a dry run: with none that the
   * cutoff keeps), removed unless it is a dry run.
   */
  private static List<BatchId> emptiedBatches(Connection c, List<String> ids, boolean dryRun,
      long bound) throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    String kept = dryRun ? " AND NOT (" + REMOVABLE + ")" : "";
    List<String> empty = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM batches b WHERE id IN ("
        + marks(ids.size()) + ") AND NOT EXISTS (SELECT 1 FROM executions e"
        + " WHERE e.batch_id = b.id" + kept + ") ORDER BY id")) {
      int i = 1;
      for (String id : ids) {
        ps.setString(i++, id);
      }
      if (dryRun) {
        ps.setLong(i, bound);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          empty.add(rs.getString(1));
        }
      }
    }
    if (!dryRun && !empty.isEmpty()) {
      runWithIds(c, "DELETE FROM batches WHERE id IN (" + marks(empty.size()) + ")", empty);
    }
    return empty.stream().map(BatchId::of).toList();
  }

  private static void addSpec(List<BlobKey> keys, String json, String id) throws SQLException {
    try {
      for (String key : StoreJson.specBlobs(json)) {
        keys.add(new BlobKey(key));
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // Blobs of an unreadable spec cannot be told apart: refuse to collect rather than guess.
      throw new SQLException("the stored spec of execution " + id + " cannot be read, so the"
          + " blobs it uses are unknown", e);
    }
  }

  private static void addKey(List<BlobKey> keys, String text) {
    if (text != null) {
      keys.add(new BlobKey(text));
    }
  }

  private static long count(Connection c, String table, List<String> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table
        + " WHERE execution_id IN (" + marks(ids.size()) + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long delete(Connection c, String table, List<String> ids) throws SQLException {
    return runWithIds(c, "DELETE FROM " + table + " WHERE execution_id IN ("
        + marks(ids.size()) + ")", ids);
  }

  private static long runWithIds(Connection c, String sql, List<String> ids)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      return ps.executeLargeUpdate();
    }
  }

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }
}
