package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A queue that passes every call to {@link #delegate()}: a test double overrides only the calls
 * it changes (a lost heartbeat, a claim held back), so a method added to {@link ExecutionQueue}
 * needs no edit in each double. An interface, so records can be doubles too. {@code subscribe}
 * and {@code close} keep the interface's defaults: a double neither wakes its worker through the
 * real queue nor closes it.
 */
interface ForwardingQueue extends ExecutionQueue {
  /** The real queue. */
  ExecutionQueue delegate();

  @Override
  default void enqueue(QueueEntry entry, Instant now, Duration hold) {
    delegate().enqueue(entry, now, hold);
  }

  @Override
  default List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
    return delegate().claim(worker, max, now, lease);
  }

  @Override
  default List<Claim> claimOwn(WorkerId worker, int max, Instant now, Duration lease) {
    return delegate().claimOwn(worker, max, now, lease);
  }

  @Override
  default List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease) {
    return delegate().renew(worker, now, lease);
  }

  @Override
  default List<WorkerId> liveWorkers(Instant now) {
    return delegate().liveWorkers(now);
  }

  @Override
  default List<dev.rgrid.spi.queue.WorkerStatus> workers(Instant now) {
    return delegate().workers(now);
  }

  @Override
  default dev.rgrid.spi.queue.QueueDepth depthByState(Instant now) {
    return delegate().depthByState(now);
  }

  @Override
  default void leave(WorkerId worker) {
    delegate().leave(worker);
  }

  @Override
  default boolean complete(ExecutionId id, WorkerId worker) {
    return delegate().complete(id, worker);
  }

  @Override
  default boolean release(ExecutionId id, WorkerId worker, Instant notBefore) {
    return delegate().release(id, worker, notBefore);
  }

  @Override
  default boolean retry(ExecutionId id, WorkerId worker, Instant notBefore, int attempt) {
    return delegate().retry(id, worker, notBefore, attempt);
  }

  @Override
  default boolean remove(ExecutionId id) {
    return delegate().remove(id);
  }

  @Override
  default long depth() {
    return delegate().depth();
  }

  @Override
  default long unowned(Instant now) {
    return delegate().unowned(now);
  }
}
