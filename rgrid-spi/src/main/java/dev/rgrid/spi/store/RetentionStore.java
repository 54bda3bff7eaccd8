package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Retention: finding and removing executions that ended long ago, and reading which blobs the
 * rest still use. Part of {@link MetadataStore}. Everything works a page at a time in short
 * transactions, so a store of millions of executions is cleaned in bounded memory and without
 * holding a lock for long. Only ended executions ({@link ExecutionStatus#isTerminal()}) are ever
 * removed; queued and running work is never touched. Every method may throw {@link
 * BackendUnavailableException}.
 */
public interface RetentionStore {
  /** The most items a page may ask for. */
  int MAX_PAGE = 1000;
  /** The longest retention of an account's own, in days (a hundred years). */
  int MAX_DAYS = 36_500;

  /**
   * Ended executions that finished before {@code cutoff}, oldest first (by finish time, then id):
   * at most {@code limit}, only those after {@code after} in that order when it is not null (the
   * last item of the previous page).
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to {@link #MAX_PAGE}
   */
  default List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit) {
    return endedBefore(cutoff, after, limit, RetentionScope.ALL);
  }

  /**
   * As {@link #endedBefore(Instant, EndedExecution, int)}, only the executions in {@code scope}:
   * those labelled with its account, or all but those labelled with one of its exceptions.
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to {@link #MAX_PAGE}
   */
  List<EndedExecution> endedBefore(Instant cutoff, EndedExecution after, int limit,
      RetentionScope scope);

  /**
   * Keeps the ended executions of {@code account} for {@code days} days instead of the global
   * retention, or for the global one again ({@code null}).
   *
   * @throws IllegalArgumentException when {@code days} is not from 1 to {@link #MAX_DAYS}
   */
  void setRetentionDays(AccountId account, Integer days);

  /** The accounts that keep their ended executions for a time of their own, in days. */
  Map<AccountId, Integer> retentionDays();

  /**
   * Removes those of {@code ids} that are still ended before {@code cutoff} (an execution changed
   * meanwhile is left alone, and so is one whose result a cache hit that ended after the cutoff
   * reuses: the hit shows its log lines), with their log lines, artifact lists and the cache
   * entries that point at them, and then the batches of theirs that have no execution left; all
   * in one transaction. With {@code dryRun} the same is counted and nothing changes; a batch is
   * then counted when none of its executions would be kept.
   *
   * @throws IllegalArgumentException when there are more than {@link #MAX_PAGE} ids
   */
  Removal removeEnded(Collection<ExecutionId> ids, Instant cutoff, boolean dryRun);

  /**
   * The blobs a page of executions use (script, inputs, accompanying files, stdout and stderr,
   * artifacts), in id order after {@code after} (null: from the start), at most {@code limit}
   * executions. With {@code skipEndedBefore} not null, executions that ended before it are
   * skipped: what a dry run of a retention with that cutoff would keep.
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to {@link #MAX_PAGE}
   */
  BlobReferences blobReferences(ExecutionId after, Instant skipEndedBefore, int limit);

  /**
   * Takes the store-wide lock that lets one process at a time collect garbage, if no one holds
   * it: the lock is held until the returned handle is closed, and let go by the store when the
   * holding process dies. Empty when another holder (in any process) has it.
   */
  Optional<AutoCloseable> tryLockCollection();

  /**
   * Checks a retention in days, for implementations.
   *
   * @throws IllegalArgumentException when it is not from 1 to {@link #MAX_DAYS}
   */
  static int checkDays(int days) {
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException("an account's retention is 1 to " + MAX_DAYS
          + " days, not " + days);
    }
    return days;
  }

  /** Checks a page size, for implementations. */
  static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("a page holds 1 to " + MAX_PAGE + " items, not "
          + limit);
    }
  }
}
