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
