package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueDepth;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.queue.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ExecutionQueue} passes. Extend it and return a fresh, empty queue;
 * the tests of who may claim what, and how attempts are counted, come with it from {@link
 * ExecutionQueueOwnershipContract}.
 */
public abstract class ExecutionQueueContract extends ExecutionQueueOwnershipContract {
  @Test
  void claimsTheOldestEntriesFirst() {
    ExecutionId first = enqueue(T0, null);
    ExecutionId second = enqueue(T0.plusSeconds(1), null);
    ExecutionId third = enqueue(T0.plusSeconds(2), null);
    List<Claim> claims = queue.claim(A, 2, T0.plusSeconds(3), LEASE);
    assertThat(claims).extracting(Claim::executionId).containsExactly(first, second);
    assertThat(claims).allSatisfy(c -> {
      assertThat(c.workerId()).isEqualTo(A);
      assertThat(c.attempt()).isEqualTo(1);
      assertThat(c.reclaimed()).isFalse();
      assertThat(c.leaseUntil()).isEqualTo(T0.plusSeconds(3).plus(LEASE));
    });
    assertThat(queue.claim(B, 5, T0.plusSeconds(3), LEASE)).extracting(Claim::executionId)
        .containsExactly(third);
    assertThat(queue.claim(B, 5, T0.plusSeconds(3), LEASE)).isEmpty();
  }

  @Test
  void refusesToQueueTheSameExecutionTwice() {
    ExecutionId id = enqueue(T0, null);
    assertThatThrownBy(() -> queue.enqueue(new QueueEntry(id, null, T0, 1), T0, LEASE))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void holdsBackEntriesUntilTheirNotBeforeTime() {
    ExecutionId id = Fixtures.id(T0);
    prepareExecution(id);
    queue.enqueue(new QueueEntry(id, null, T0.plusSeconds(10), 1), T0, LEASE);
    assertThat(queue.claim(A, 1, T0.plusSeconds(9), LEASE)).isEmpty();
    assertThat(queue.claim(A, 1, T0.plusSeconds(10), LEASE)).hasSize(1);
  }

  @Test
  void keepsWorkForItsAffineWorkerUntilThatWorkerStopsRenewing() {
    ExecutionId id = enqueue(T0, A);
    assertThat(queue.claim(B, 1, T0.plusSeconds(1), LEASE)).isEmpty();
    queue.renew(A, T0.plusSeconds(20), LEASE);
    assertThat(queue.claim(B, 1, T0.plusSeconds(40), LEASE)).isEmpty();
    List<Claim> taken = queue.claim(B, 1, T0.plusSeconds(51), LEASE);
    assertThat(taken).extracting(Claim::executionId).containsExactly(id);
    assertThat(taken.get(0).attempt()).isEqualTo(1);
  }

  @Test
  void letsTheAffineWorkerClaimItsOwnWork() {
    ExecutionId id = enqueue(T0, A);
    assertThat(queue.claim(A, 1, T0.plusSeconds(1), LEASE)).extracting(Claim::executionId)
        .containsExactly(id);
  }

  @Test
  void handsWorkOfALostWorkerToAnotherWithTheNextAttempt() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    assertThat(queue.claim(B, 1, T0.plusSeconds(29), LEASE)).isEmpty();
    List<Claim> reclaimed = queue.claim(B, 1, T0.plusSeconds(31), LEASE);
    assertThat(reclaimed).hasSize(1);
    assertThat(reclaimed.get(0).executionId()).isEqualTo(id);
    assertThat(reclaimed.get(0).attempt()).isEqualTo(2);
    assertThat(reclaimed.get(0).reclaimed()).isTrue();
    assertThat(queue.complete(id, A)).isFalse();
    assertThat(queue.renew(A, T0.plusSeconds(32), LEASE)).isEmpty();
    assertThat(queue.complete(id, B)).isTrue();
  }

  @Test
  void renewingKeepsAClaimAlive() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    assertThat(queue.renew(A, T0.plusSeconds(25), LEASE)).containsExactly(id);
    assertThat(queue.claim(B, 1, T0.plusSeconds(50), LEASE)).isEmpty();
    assertThat(queue.claim(B, 1, T0.plusSeconds(56), LEASE)).hasSize(1);
  }

  @Test
  void aWorkerIsAliveFromItsHeartbeatUntilItLapsesOrLeaves() {
    assertThat(queue.liveWorkers(T0)).isEmpty();
    queue.renew(A, T0, LEASE); // idle: it holds nothing, and is alive all the same
    queue.renew(B, T0, LEASE);
    assertThat(queue.liveWorkers(T0.plusSeconds(1))).containsExactly(A, B);
    queue.renew(A, T0.plusSeconds(20), LEASE);
    assertThat(queue.liveWorkers(T0.plus(LEASE))).as("B's heartbeat lapsed").containsExactly(A);
    queue.leave(A);
    assertThat(queue.liveWorkers(T0.plusSeconds(21))).containsExactly(B);
    queue.leave(A); // leaving twice is harmless
    queue.renew(A, T0.plusSeconds(22), LEASE);
    assertThat(queue.liveWorkers(T0.plusSeconds(23))).containsExactly(A, B);
  }

  @Test
  void listsLiveWorkersWithTheirLastHeartbeatAndWhatTheyRunAndCountsTheQueueByState() {
    assertThat(queue.workers(T0)).isEmpty();
    assertThat(queue.depthByState(T0)).isEqualTo(new QueueDepth(0, 0, 0, 0));
    ExecutionId first = enqueue(T0, null);
    enqueue(T0.plusSeconds(1), null);
    ExecutionId third = enqueue(T0.plusSeconds(2), null);
    enqueue(T0.plusSeconds(3), null);
    assertThat(queue.claim(A, 2, T0.plusSeconds(4), LEASE)).hasSize(2);
    assertThat(queue.claim(B, 1, T0.plusSeconds(4), LEASE)).extracting(Claim::executionId)
        .containsExactly(third);
    Instant beat = T0.plusSeconds(5).plusNanos(1_000);
    queue.renew(A, beat, LEASE);
    queue.renew(B, T0.plusSeconds(4), LEASE);
    assertThat(queue.release(first, A, T0.plusSeconds(100))).isTrue();

    Instant now = T0.plusSeconds(6);
    assertThat(queue.workers(now)).containsExactly(
        new WorkerStatus(A, beat, beat.plus(LEASE), 1),
        new WorkerStatus(B, T0.plusSeconds(4), T0.plusSeconds(4).plus(LEASE), 1));
    assertThat(queue.depthByState(now)).isEqualTo(new QueueDepth(1, 1, 2, 0));
    // B's lease lapses: it is no longer listed, and what it held counts as lapsed.
    Instant later = T0.plusSeconds(4).plus(LEASE);
    assertThat(queue.workers(later)).extracting(WorkerStatus::id).containsExactly(A);
    assertThat(queue.depthByState(later)).isEqualTo(new QueueDepth(1, 1, 1, 1));
    assertThat(queue.depthByState(later).total()).isEqualTo(4);
  }

  @Test
  void completingRemovesTheEntry() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    assertThat(queue.complete(id, B)).isFalse();
    assertThat(queue.complete(id, A)).isTrue();
    assertThat(queue.claim(B, 1, T0.plus(Duration.ofHours(1)), LEASE)).isEmpty();
    assertThat(queue.depth()).isZero();
  }

  @Test
  void releasingMakesTheEntryClaimableAgainWithTheSameAttempt() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    assertThat(queue.release(id, B, T0)).isFalse();
    assertThat(queue.release(id, A, T0.plusSeconds(5))).isTrue();
    assertThat(queue.claim(B, 1, T0.plusSeconds(4), LEASE)).isEmpty();
    List<Claim> again = queue.claim(B, 1, T0.plusSeconds(5), LEASE);
    assertThat(again).extracting(Claim::attempt).containsExactly(1);
    assertThat(again.get(0).reclaimed()).isFalse();
  }

  @Test
  void retryingMakesTheEntryClaimableLaterForTheNextAttempt() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    assertThat(queue.retry(id, B, T0.plusSeconds(3), 2)).isFalse();
    assertThat(queue.retry(id, A, T0.plusSeconds(3), 2)).isTrue();
    assertThat(queue.retry(id, A, T0.plusSeconds(3), 3)).as("no longer held").isFalse();
    assertThat(queue.claim(B, 1, T0.plusSeconds(2), LEASE)).isEmpty();
    List<Claim> again = queue.claim(B, 1, T0.plusSeconds(3), LEASE);
    assertThat(again).extracting(Claim::attempt).containsExactly(2);
    assertThat(again.get(0).reclaimed()).isFalse();
  }

  @Test
  void retryRefusesAnAttemptBelowOne() {
    ExecutionId id = enqueue(T0, null);
    queue.claim(A, 1, T0, LEASE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.retry(id, A, T0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void removesAnEntryInAnyState() {
    ExecutionId claimed = enqueue(T0, null);
    ExecutionId waiting = enqueue(T0.plusSeconds(1), null);
    assertThat(queue.claim(A, 1, T0.plusSeconds(2), LEASE)).extracting(Claim::executionId)
        .containsExactly(claimed);
    assertThat(queue.remove(waiting)).isTrue();
    assertThat(queue.remove(claimed)).isTrue();
    assertThat(queue.remove(claimed)).isFalse();
    assertThat(queue.complete(claimed, A)).isFalse();
    assertThat(queue.depth()).isZero();
  }

  @Test
  void countsWaitingEntries() {
    assertThat(queue.depth()).isZero();
    ExecutionId id = enqueue(T0, null);
    enqueue(T0.plusSeconds(1), B);
    assertThat(queue.depth()).isEqualTo(2);
    queue.claim(A, 1, T0.plusSeconds(2), LEASE);
    assertThat(queue.depth()).isEqualTo(1);
    assertThat(queue.remove(id)).isTrue();
  }

  @Test
  void neverHandsOneEntryToTwoConcurrentWorkers() throws Exception {
    int entries = 200;
    for (int i = 0; i < entries; i++) {
      enqueue(T0.plusMillis(i), null);
    }
    int workers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<ExecutionId> claimed = new ConcurrentLinkedQueue<>();
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      WorkerId worker = new WorkerId("w" + w);
      futures.add(pool.submit(() -> {
        start.await();
        Instant now = T0.plusSeconds(1);
        while (true) {
          List<Claim> got = queue.claim(worker, 3, now, LEASE);
          if (got.isEmpty()) {
            return null;
          }
          got.forEach(c -> claimed.add(c.executionId()));
        }
      }));
    }
    start.countDown();
    for (var f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Set<ExecutionId> unique = new HashSet<>(claimed);
    assertThat(claimed).hasSize(entries);
    assertThat(unique).hasSize(entries);
  }

  @Test
  void capsTheEntriesOfAGroupHeldAtOnceAcrossWorkers() {
    List<ExecutionId> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(enqueueInGroup(T0.plusMillis(i), "batch-1", 2));
    }
    Instant now = T0.plusSeconds(1);
    assertThat(queue.claim(A, 5, now, LEASE)).extracting(Claim::executionId)
        .containsExactly(ids.get(0), ids.get(1));
    assertThat(queue.claim(B, 5, now, LEASE)).isEmpty();
    assertThat(queue.complete(ids.get(0), A)).isTrue();
    assertThat(queue.claim(B, 5, now, LEASE)).extracting(Claim::executionId)
        .containsExactly(ids.get(2));
    assertThat(queue.claim(A, 5, now, LEASE)).isEmpty();
    assertThat(queue.release(ids.get(1), A, now)).isTrue();
    // The released entry is the oldest again: it takes the freed place.
    assertThat(queue.claim(A, 5, now, LEASE)).extracting(Claim::executionId)
        .containsExactly(ids.get(1));
  }

  @Test
  void aFullGroupDoesNotHoldBackWorkQueuedAfterIt() {
    ExecutionId first = enqueueInGroup(T0, "batch-1", 1);
    enqueueInGroup(T0.plusMillis(1), "batch-1", 1);
    enqueueInGroup(T0.plusMillis(2), "batch-1", 1);
    ExecutionId other = enqueueInGroup(T0.plusMillis(3), "batch-2", 1);
    ExecutionId loose = enqueue(T0.plusMillis(4), null);
    Instant now = T0.plusSeconds(1);
    assertThat(queue.claim(A, 1, now, LEASE)).extracting(Claim::executionId)
        .containsExactly(first);
    assertThat(queue.claim(A, 10, now, LEASE)).extracting(Claim::executionId)
        .containsExactly(other, loose);
  }

  @Test
  void aLapsedLeaseGivesItsPlaceInTheGroupToWhoeverTakesItOver() {
    ExecutionId first = enqueueInGroup(T0, "batch-1", 1);
    enqueueInGroup(T0.plusMillis(1), "batch-1", 1);
    assertThat(queue.claim(A, 5, T0, LEASE)).hasSize(1);
    List<Claim> taken = queue.claim(B, 5, T0.plus(LEASE), LEASE);
    assertThat(taken).extracting(Claim::executionId).containsExactly(first);
    assertThat(taken.get(0).reclaimed()).isTrue();
    assertThat(taken.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void entriesRetriedLaterStillCountOnlyOnceTheyAreHeld() {
    ExecutionId first = enqueueInGroup(T0, "batch-1", 1);
    ExecutionId second = enqueueInGroup(T0.plusMillis(1), "batch-1", 1);
    assertThat(queue.claim(A, 5, T0, LEASE)).extracting(Claim::executionId)
        .containsExactly(first);
    assertThat(queue.retry(first, A, T0.plusSeconds(10), 2)).isTrue();
    // Waiting for its backoff, the first no longer holds the group's place.
    assertThat(queue.claim(A, 5, T0.plusSeconds(1), LEASE)).extracting(Claim::executionId)
        .containsExactly(second);
    assertThat(queue.claim(A, 5, T0.plusSeconds(10), LEASE)).isEmpty();
    assertThat(queue.complete(second, A)).isTrue();
    List<Claim> again = queue.claim(A, 5, T0.plusSeconds(10), LEASE);
    assertThat(again).extracting(Claim::executionId).containsExactly(first);
    assertThat(again.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void rejectsAGroupLimitOutOfRange() {
    ExecutionId id = Fixtures.id(T0);
    assertThatThrownBy(() -> new QueueEntry(id, null, T0, 1, "g", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueueEntry(id, null, T0, 1, "g", QueueEntry.MAX_GROUP_LIMIT + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueueEntry(id, null, T0, 1, null, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverLetsConcurrentWorkersExceedAGroupLimit() throws Exception {
    for (int i = 0; i < 40; i++) {
      enqueueInGroup(T0.plusMillis(i), "batch-1", 3);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      ConcurrentLinkedQueue<Claim> all = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        WorkerId worker = new WorkerId("worker-" + w);
        futures.add(pool.submit(() -> {
          start.await();
          all.addAll(queue.claim(worker, 10, T0.plusSeconds(1), LEASE));
          return null;
        }));
      }
      start.countDown();
      for (var f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(all).hasSize(3);
    } finally {
      pool.shutdownNow();
    }
  }
}
