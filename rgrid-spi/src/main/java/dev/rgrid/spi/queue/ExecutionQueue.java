package dev.rgrid.spi.queue;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The queue of executions waiting for a worker, with leases. Every time is passed in by the caller
 * (from its injected clock), so implementations never read a clock of their own for lease logic.
 * Every method may throw {@link BackendUnavailableException}.
 *
 * <p>The life of an entry: {@link #enqueue} → {@link #claim} (lease) → {@link #renew} while running
 * → {@link #complete} (gone) or {@link #release} (claimable again). An entry whose lease lapsed is
 * claimable by any worker, with its attempt number raised by one in the same atomic step, so a
 * lost attempt is counted once however many workers try to take it over. A holder that gives back
 * an attempt that started (it was stopped, or could not record its end) says so with {@link
 * #retry} and the next attempt number; {@link #release} is for a claim that never started.
 *
 * <p>A queue that shares its database with the metadata store holds the entries of executions
 * that wait for parents ({@code WAITING}) too: they are not claimed nor counted in {@link #depth}
 * until the store releases them, in the transaction that ends their last parent. Their affinity
 * holds are renewed meanwhile, and {@link #unowned} counts them, so a process that adopts work
 * stays for one that nobody else will run once released. Such a queue claims depth first: an
 * entry queued while parents of it were still queued ranks one deeper than the deepest of them,
 * and the deepest claimable entries go first, so a released step of a pipeline runs before
 * fresh work, as {@code make -j} does (the store's enqueue reads the depth; callers pass
 * nothing).
 */
public interface ExecutionQueue extends AutoCloseable {

  /**
   * Adds an entry; its affinity hold (if any) lasts until {@code now + hold}.
   *
   * @throws ConflictException when the execution is already queued or claimed
   */
  void enqueue(QueueEntry entry, Instant now, Duration hold);

  /**
   * Claims up to {@code max} entries for {@code worker}, oldest first (deepest first, then oldest,
   * in a queue that shares its database with the store), atomically: no entry is ever held by two
   * workers. Claimable are entries past their {@code notBefore} that are unclaimed and
   * either have no affinity, have this worker's affinity, or whose affinity hold lapsed; and claimed
   * entries whose lease lapsed (those come back with {@link Claim#reclaimed()} and attempt + 1).
   * An entry whose group has a limit is claimable only while fewer than that many entries of the
   * group are held under leases that have not lapsed, this claim's own included: the limit holds
   * across every worker, not per worker.
   */
  List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease);

  /**
   * As {@link #claim}, but only entries reserved for {@code worker} (its affinity), whether or not
   * its hold lapsed: a process that runs only the work it submitted never takes another's, lost or
   * not. Group limits hold as for {@link #claim}.
   */
  List<Claim> claimOwn(WorkerId worker, int max, Instant now, Duration lease);

  /**
   * The heartbeat: extends to {@code now + lease} the leases of every entry {@code worker} holds
   * and the affinity holds of every unclaimed entry reserved for it, and records that {@code
   * worker} is alive until then (see {@link #liveWorkers}), whether it holds anything or not.
   *
   * @return the ids of the claims still held (a claim missing from it was lost)
   */
  List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease);

  /**
   * The workers alive at {@code now}, by id: those whose last {@link #renew} has not lapsed and
   * that have not {@link #leave left}, busy or idle. A client that only submits asks this to tell
   * its user at once that nothing will run its work.
   */
  List<WorkerId> liveWorkers(Instant now);

  /**
   * The workers alive at {@code now} (as {@link #liveWorkers}), by id, each with its last
   * heartbeat and how many entries it holds under a live lease.
   */
  List<WorkerStatus> workers(Instant now);

  /** The entries by state at {@code now}: one read, for people watching the queue. */
  QueueDepth depthByState(Instant now);

  /**
   * Forgets that {@code worker} is alive (it stopped claiming), at once rather than when its last
   * heartbeat lapses. Its claims and affinity holds are not touched.
   */
  void leave(WorkerId worker);

  /**
   * Removes a finished entry held by {@code worker}.
   *
   * @return {@code false} when the worker no longer holds it (its lease lapsed and it was taken)
   */
  boolean complete(ExecutionId id, WorkerId worker);

  /**
   * Gives a held entry back to the queue, claimable from {@code notBefore} with the same attempt.
   *
   * @return {@code false} when the worker no longer holds it
   */
  boolean release(ExecutionId id, WorkerId worker, Instant notBefore);

  /**
   * Gives a held entry back for another attempt: claimable from {@code notBefore} (the retry's
   * backoff), the next claim starting {@code attempt}. An affinity hold is kept as by {@link
   * #release}.
   *
   * @return {@code false} when the worker no longer holds it
   */
  boolean retry(ExecutionId id, WorkerId worker, Instant notBefore, int attempt);

  /**
   * Removes an entry whatever its state (a queued execution that was cancelled).
   *
   * @return {@code true} if it was there
   */
  boolean remove(ExecutionId id);

  /** How many entries are waiting (unclaimed), claimable or not. */
  long depth();

  /**
   * How many entries no live worker holds or reserves at {@code now}: unclaimed without affinity
   * or with a lapsed hold, or claimed under a lapsed lease; whatever their not-before time. They
   * wait for a worker that takes any work ({@link #claim}).
   */
  long unowned(Instant now);

  /**
   * Asks to be told, soon and on a thread of the queue's, whenever work may have become claimable
   * because any process enqueued, gave back or completed an entry: an idle worker then claims at
   * once instead of at its next poll. Calls may be spurious or merged; workers still poll, for
   * work whose not-before time or lapsed lease makes it claimable without an event. The default
   * never calls {@code onWork}.
   *
   * @return closes the subscription
   */
  default AutoCloseable subscribe(Runnable onWork) {
    return () -> { };
  }

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {}
}
