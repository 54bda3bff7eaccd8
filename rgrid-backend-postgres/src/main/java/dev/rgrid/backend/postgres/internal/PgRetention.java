package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import dev.rgrid.store.sql.RetentionSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Retention on PostgreSQL: each removal is one short transaction of at most a page of
 * executions; row locks only, never a table lock. The collection lock is a session-level advisory
 * lock on a connection of its own, kept open while the lock is held; the server lets go of it
 * when that connection ends, with its process or not.
 */
final class PgRetention implements RetentionStore {
  /** The advisory lock key of garbage collection: "rgrid-gc" as a number. */
  private static final long LOCK_KEY = 0x7267_7269_642d_6763L;

  private final Jdbi jdbi;
  private final PgErrors errors;

  PgRetention(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit,
      RetentionScope scope) {
    return errors.call("listing ended executions", () -> jdbi.withHandle(h ->
        jdbc(h, c -> RetentionSql.endedBefore(c, RetentionSql.Labels.JSONB, cutoff,
            after, limit, scope))));
  }

  @Override
  public void setRetentionDays(AccountId account, Integer days) {
    errors.run("setting an account's retention", () -> jdbi.useHandle(h -> jdbc(h, c -> {
      RetentionSql.setRetentionDays(c, account, days);
      return null;
    })));
  }

  @Override
  public Map<AccountId, Integer> retentionDays() {
    return errors.call("reading the accounts' retention", () -> jdbi.withHandle(h ->
        jdbc(h, RetentionSql::retentionDays)));
  }

  @Override
  public Removal removeEnded(Collection<ExecutionId> ids, Instant cutoff, boolean dryRun) {
    return errors.call("removing " + ids.size() + " ended executions", () -> jdbi.inTransaction(
        h -> jdbc(h, c -> RetentionSql.removeEnded(c, ids, cutoff, dryRun))));
  }

  @Override
  public BlobReferences blobReferences(ExecutionId after, Instant skipEndedBefore, int limit) {
    return errors.call("reading the blobs executions use", () -> jdbi.withHandle(h ->
        jdbc(h,
            c -> RetentionSql.blobReferences(c, after, skipEndedBefore, limit))));
  }

  @Override
  public Optional<AutoCloseable> tryLockCollection() {
    return errors.call("taking the garbage collection lock", () -> {
      Handle h = jdbi.open();
      try {
        boolean taken = h.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", LOCK_KEY)
            .mapTo(Boolean.class).one();
        if (!taken) {
          h.close();
          return Optional.empty();
        }
        return Optional.of(() -> {
          try (h) {
            h.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", LOCK_KEY)
                .mapTo(Boolean.class).one();
          }
        });
      } catch (RuntimeException e) {
        h.close();
        throw e;
      }
    });
  }

  /**
   * Runs the shared JDBC code on the handle's connection; its driver errors travel as Jdbi's, so
   * that {@link PgErrors} translates them like every other statement's.
   */
  private static <T> T jdbc(Handle h, JdbcWork<T> work) {
    try {
      return work.run(h.getConnection());
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  @FunctionalInterface
  private interface JdbcWork<T> {
    T run(Connection c) throws SQLException;
  }
}
