package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Durable state of executions, their log lines and their artifacts. Safe for use by many threads
 * and, for shared backends, many processes. Every method may throw {@link
 * BackendUnavailableException}.
 */
public interface MetadataStore extends AutoCloseable {

  /**
   * Stores a new execution.
   *
   * @throws ConflictException when an execution with this id exists
   */
  void create(ExecutionRecord record);

  /** The execution with this id, if stored. */
  Optional<ExecutionRecord> find(ExecutionId id);

  /**
   * The execution with this id.
   *
   * @throws NotFoundException when there is none
   */
  default ExecutionRecord get(ExecutionId id) {
    return find(id).orElseThrow(() -> new NotFoundException(
        "no execution " + id, "run `rgrid list` to see the known executions"));
  }

  /**
   * Atomically replaces an execution with {@code change} applied to it, provided its current
   * status is one of {@code expected}. The change must not alter the id, spec or creation time.
   * It runs inside the compare-and-set and may refuse by throwing (an {@code RGridException} as a
   * rule); the exception then propagates as it is and nothing is written. A store may apply it
   * more than once (an optimistic store applies it again when the record changed before its
   * write landed), so it must be a pure function of the record it is given.
   *
   * @return the stored result
   * @throws NotFoundException when there is no such execution
   * @throws ConflictException when its status is not one of {@code expected}
   */
  ExecutionRecord update(ExecutionId id, Set<ExecutionStatus> expected,
      UnaryOperator<ExecutionRecord> change);

  /** The executions matching {@code query}, newest first, one page at a time. */
  ExecutionPage list(ExecutionQuery query);

  /**
   * Appends log lines. Lines whose sequence number is already stored for the execution are ignored,
   * so a writer may safely resend a batch.
   */
  void appendLogs(ExecutionId id, List<LogLine> lines);

  /**
   * Calls {@code onChange} with an execution's id soon after log lines are appended to it or it
   * ends (other record changes may or may not be announced), in any process sharing this store; with {@code null} when changes may have
   * been missed (after a lost connection), meaning "look again at everything you follow". Calls
   * come from a thread of the store's: keep them short. The default never calls, so followers
   * must also poll; stores that can notify override it.
   *
   * @return a handle that stops the calls
   */
  default AutoCloseable subscribeChanges(java.util.function.Consumer<ExecutionId> onChange) {
    return () -> { };
  }

  /** Up to {@code limit} log lines with a sequence number above {@code afterSeq}, in order. */
  List<LogLine> logs(ExecutionId id, long afterSeq, int limit);

  /**
   * The sequence number of the last stored log line of an execution, or 0 when there is none. A
   * later attempt continues after it, so the lines of every attempt are kept. The default pages
   * through {@link #logs}; stores override it with a direct lookup.
   */
  default long lastLogSeq(ExecutionId id) {
    long seq = 0;
    List<LogLine> page;
    do {
      page = logs(id, seq, 10_000);
      if (!page.isEmpty()) {
        seq = page.get(page.size() - 1).seq();
      }
    } while (page.size() == 10_000);
    return seq;
  }

  /**
   * Records the artifacts of an execution, all or none.
   *
   * @throws ConflictException when artifacts are already recorded for it
   */
  void putArtifacts(ExecutionId id, List<Artifact> artifacts);

  /** The artifacts of an execution, by path. */
  List<Artifact> artifacts(ExecutionId id);

  /**
   * Removes the artifacts recorded for an execution: those of an attempt whose worker was lost
   * before it could record the end, so that the next attempt records its own.
   *
   * @return how many were removed
   */
  int removeArtifacts(ExecutionId id);

  /** Records {@code entry} in the result cache, replacing an entry with the same key. */
  void putCacheEntry(CacheEntry entry);

  /**
   * The result cache's entry for {@code key}, if any; a found entry is marked used at {@code now}
   * (last use, hits + 1), in the same transaction.
   */
  Optional<CacheEntry> useCacheEntry(String key, Instant now);

  /** The result cache's entries, most recently used first, at most {@code limit}. */
  List<CacheEntry> cacheEntries(int limit);

  /**
   * Removes the entries of {@code keys} from the result cache (their executions stay).
   *
   * @return how many were removed
   */
  int removeCacheEntries(Collection<String> keys);

  /**
   * What executions that finished in [{@code since}, {@code until}) cost together, in micros: all
   * of them. The same as {@link #spentMicros(String, Instant, Instant)} with the global scope.
   */
  default long spentMicros(Instant since, Instant until) {
    return spentMicros(LimitSetting.GLOBAL, since, until);
  }

  /**
   * What executions that finished in [{@code since}, {@code until}) cost together, in micros,
   * within {@code scope}: every execution for {@link LimitSetting#GLOBAL}, else only those
   * labelled {@link dev.rgrid.spi.account.AccountId#LABEL} with that account id.
   *
   * @throws IllegalArgumentException when {@code scope} is neither (see {@link
   *     LimitSetting#checkScope})
   */
  long spentMicros(String scope, Instant since, Instant until);

  /** The global monthly spending limit, if one is set. */
  default Optional<LimitSetting> spendingLimit() {
    return spendingLimit(LimitSetting.GLOBAL);
  }

  /**
   * The monthly spending limit of {@code scope}, if one is set. Each scope has its own, set
   * independently: the global one caps everything, an account's caps that account.
   */
  Optional<LimitSetting> spendingLimit(String scope);

  /** Sets the global monthly spending limit, or removes it ({@code null}). */
  default void setSpendingLimit(LimitSetting limit) {
    setSpendingLimit(LimitSetting.GLOBAL, limit);
  }

  /** Sets the monthly spending limit of {@code scope}, or removes it ({@code null}). */
  void setSpendingLimit(String scope, LimitSetting limit);

  /**
   * Records that the alert of the global limit for {@code thresholdPercent} was raised in {@code
   * month} ({@code 2026-11}), at {@code at}.
   *
   * @return {@code true} only for the first call for that month and threshold, across processes
   */
  default boolean raiseLimitAlert(String month, int thresholdPercent, Instant at) {
    return raiseLimitAlert(LimitSetting.GLOBAL, month, thresholdPercent, at);
  }

  /**
   * Records that the alert of {@code scope}'s limit for {@code thresholdPercent} was raised in
   * {@code month} ({@code 2026-11}), at {@code at}. Scopes do not share alerts: an account's 50%
   * alert is not the global one's.
   *
   * @return {@code true} only for the first call for that scope, month and threshold, across
   *     processes
   */
  boolean raiseLimitAlert(String scope, String month, int thresholdPercent, Instant at);

  /**
   * Stores a new batch (before its executions).
   *
   * @throws dev.rgrid.spi.ConflictException when a batch with its id exists
   */
  void createBatch(BatchRecord batch);

  /** A batch, if there is one with that id. */
  Optional<BatchRecord> findBatch(dev.rgrid.spi.BatchId id);

  /**
   * How the executions of a batch stand: counts per status, cache hits and cost of the latest
   * execution of each retry chain (executions whose {@code retriedBy} is set are left out).
   */
  BatchSummary batchSummary(dev.rgrid.spi.BatchId id);

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {}
}
