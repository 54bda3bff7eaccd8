package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Durable execution records: create, read, compare-and-set update, list, and the announcement of
 * changes. Part of {@link MetadataStore}. Safe for use by many threads and, for shared backends,
 * many processes. Every method may throw {@link BackendUnavailableException}.
 */
public interface ExecutionStore {

  /**
   * Stores a new execution.
   *
   * <p>A record whose spec names parents must be {@code WAITING}. In the same transaction the
   * store looks at each parent: when one has ended without succeeding, the record is stored
   * {@code SKIPPED} (its failure, {@code parent-failed}, names that parent); else when all have
   * succeeded it is stored {@code QUEUED}; else {@code WAITING}, remembering the parents that have
   * not ended. Read it back to know which. A waiting execution's queue entry is not claimable
   * until it is released (see {@link #update}).
   *
   * @throws ConflictException when an execution with this id exists
   * @throws NotFoundException when a parent is not stored (nothing is stored then)
   * @throws IllegalArgumentException when a record with parents is not {@code WAITING}, or one
   *     without is
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
   * <p>When the update ends the execution, the executions waiting for it are released in the same
   * transaction, so a release is never lost whichever worker ends the parent: if it succeeded,
   * each child with no other parent left to wait for becomes {@code QUEUED} (transition at the
   * parent's finish time) and its queue entry claimable; if not, each waiting child ends {@code
   * SKIPPED} with a {@code parent-failed} failure naming the parent, its queue entry is removed,
   * and its own children are skipped in turn. An execution that ends while waiting (cancelled)
   * stops waiting.
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
   * Calls {@code onChange} with an execution's id soon after log lines are appended to it or it
   * ends (other record changes may or may not be announced), in any process sharing this store;
   * with {@code null} when changes may have been missed (after a lost connection), meaning "look
   * again at everything you follow". Calls come from a thread of the store's: keep them short.
   * The default never calls, so followers must also poll; stores that can notify override it.
   *
   * @return a handle that stops the calls
   */
  default AutoCloseable subscribeChanges(Consumer<ExecutionId> onChange) {
    return () -> { };
  }
}
