package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may claim which entries of an {@link ExecutionQueue}, and how attempts are counted when a
 * worker is lost: part of {@link ExecutionQueueContract}, which every queue extends (this class
 * holds the fixture both share).
 */
public abstract class ExecutionQueueOwnershipContract {
  protected static final Duration LEASE = Duration.ofSeconds(30);
  protected static final WorkerId A = new WorkerId("worker-a");
  protected static final WorkerId B = new WorkerId("worker-b");
  protected static final WorkerId C = new WorkerId("worker-c");
  protected ExecutionQueue queue;

  /** A new, empty queue. */
  protected abstract ExecutionQueue newQueue() throws Exception;

  /**
   * Makes {@code id} known to the backend before it is enqueued, for backends whose queue refers to
   * stored executions; the default does nothing.
   */
  protected void prepareExecution(ExecutionId id) {}

  @BeforeEach
  void openQueue() throws Exception {
    queue = newQueue();
  }

  @AfterEach
  void closeQueue() throws Exception {
    queue.close();
  }

  /** Enqueues a first attempt at {@code at}, reserved for {@code affinity} (held for a lease). */
  protected ExecutionId enqueue(Instant at, WorkerId affinity) {
    ExecutionId id = Fixtures.id(at);
    prepareExecution(id);
    queue.enqueue(new QueueEntry(id, affinity, at, 1), at, LEASE);
    return id;
  }

  /** Enqueues a first attempt at {@code at} without affinity in a group limited to {@code limit}. */
  protected ExecutionId enqueueInGroup(Instant at, String group, int limit) {
    ExecutionId id = Fixtures.id(at);
    prepareExecution(id);
    queue.enqueue(new QueueEntry(id, null, at, 1, group, limit), at, LEASE);
    return id;
  }

  @Test
  void aLostAttemptIsCountedOnceHoweverManyWorkersTryToTakeItOver() throws Exception {
    ExecutionId id = enqueue(T0, null);
    assertThat(queue.claim(A, 1, T0, LEASE)).extracting(Claim::attempt).containsExactly(1);
    Instant lapsed = T0.plus(LEASE).plusSeconds(1);
    List<WorkerId> takers = List.of(B, C, new WorkerId("worker-d"), new WorkerId("worker-e"));
    ExecutorService pool = Executors.newFixedThreadPool(takers.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Claim>>> tries = new ArrayList<>();
      for (WorkerId taker : takers) {
        tries.add(pool.submit(() -> {
          start.await();
          return queue.claim(taker, 1, lapsed, LEASE);
        }));
      }
      start.countDown();
      List<Claim> taken = new ArrayList<>();
      for (Future<List<Claim>> f : tries) {
        taken.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(taken).hasSize(1);
      assertThat(taken.get(0).executionId()).isEqualTo(id);
      assertThat(taken.get(0).attempt()).isEqualTo(2);
      assertThat(taken.get(0).reclaimed()).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(queue.claim(A, 1, lapsed, LEASE)).isEmpty();
  }

  @Test
  void eachLossCountsOneMoreAttempt() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    Instant first = T0.plus(LEASE);
    assertThat(queue.claim(B, 1, first, LEASE)).extracting(Claim::attempt).containsExactly(2);
    Instant second = first.plus(LEASE);
    List<Claim> again = queue.claim(C, 1, second, LEASE);
    assertThat(again).extracting(Claim::executionId).containsExactly(id);
    assertThat(again).extracting(Claim::attempt).containsExactly(3);
  }

  @Test
  void theLostWorkerCanNeitherGiveBackNorFinishTheAttemptTakenOverFromIt() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    Instant lapsed = T0.plus(LEASE);
    assertThat(queue.claim(B, 1, lapsed, LEASE)).extracting(Claim::attempt).containsExactly(2);
    assertThat(queue.release(id, A, lapsed)).isFalse();
    assertThat(queue.retry(id, A, lapsed, 9)).isFalse();
    assertThat(queue.complete(id, A)).isFalse();
    assertThat(queue.renew(A, lapsed, LEASE)).isEmpty();
    // Its holder gives it back as the next attempt (stopped while running): counted once more,
    // not again at the claim that follows.
    assertThat(queue.retry(id, B, lapsed, 3)).isTrue();
    List<Claim> next = queue.claim(C, 1, lapsed, LEASE);
    assertThat(next).extracting(Claim::attempt).containsExactly(3);
    assertThat(next.get(0).reclaimed()).isFalse();
  }

  @Test
  void anOwnClaimTakesOnlyTheWorkReservedForTheClaimer() {
    ExecutionId free = enqueue(T0, null);
    ExecutionId mine = enqueue(T0.plusMillis(1), A);
    ExecutionId others = enqueue(T0.plusMillis(2), B);
    ExecutionId lost = enqueue(T0.plusMillis(3), null);
    queue.claim(C, 1, T0.plusMillis(3), LEASE); // takes `free`, the oldest
    assertThat(queue.claim(C, 1, T0.plusMillis(4), LEASE)).extracting(Claim::executionId)
        .containsExactly(lost);
    Instant later = T0.plus(LEASE).plusSeconds(1); // every hold and lease has lapsed
    List<Claim> own = queue.claimOwn(A, 10, later, LEASE);
    assertThat(own).extracting(Claim::executionId).containsExactly(mine);
    assertThat(own.get(0).attempt()).isEqualTo(1);
    assertThat(queue.claimOwn(A, 10, later, LEASE)).isEmpty();
    // Reserved for B: B's own even after its hold lapsed; never A's by an own claim.
    assertThat(queue.claimOwn(B, 10, later, LEASE)).extracting(Claim::executionId)
        .containsExactly(others);
    // What C lost is left to a claim that takes any work.
    assertThat(queue.claim(A, 10, later, LEASE)).extracting(Claim::executionId)
        .containsExactly(free, lost);
  }

  @Test
  void anOwnClaimKeepsTheGroupLimit() {
    List<ExecutionId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ExecutionId id = Fixtures.id(T0.plusMillis(i));
      prepareExecution(id);
      queue.enqueue(new QueueEntry(id, A, T0, 1, "batch-1", 2), T0, LEASE);
      ids.add(id);
    }
    assertThat(queue.claimOwn(A, 10, T0, LEASE)).extracting(Claim::executionId)
        .containsExactly(ids.get(0), ids.get(1));
    assertThat(queue.claimOwn(A, 10, T0, LEASE)).isEmpty();
  }

  @Test
  void countsTheEntriesNoLiveWorkerHoldsOrReserves() {
    Instant now = T0.plusSeconds(10);
    assertThat(queue.unowned(now)).isZero();
    enqueue(T0, A); // reserved, hold until T0 + lease
    enqueue(T0.plusMillis(1), B);
    queue.claimOwn(B, 1, T0.plusMillis(1), LEASE); // held under a live lease
    assertThat(queue.unowned(now)).isZero();
    ExecutionId later = Fixtures.id(T0);
    prepareExecution(later);
    queue.enqueue(new QueueEntry(later, null, T0.plusSeconds(3600), 1), T0, LEASE);
    assertThat(queue.unowned(now)).as("free work waiting for its not-before time").isOne();
    Instant lapsed = T0.plus(LEASE).plusSeconds(1);
    assertThat(queue.unowned(lapsed)).as("plus a lapsed hold and a lapsed lease").isEqualTo(3);
    queue.renew(A, lapsed, LEASE);
    assertThat(queue.unowned(lapsed)).as("A renewed its hold").isEqualTo(2);
  }
}
