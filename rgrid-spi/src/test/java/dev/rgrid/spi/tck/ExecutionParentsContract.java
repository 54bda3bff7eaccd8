package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.StatusTransition;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of runs that wait for others, which a metadata store and the queue on the same
 * database keep together: a child is stored {@code WAITING} and its queue entry is not claimable;
 * the update that ends a parent releases (or skips) its children in the same transaction. Extend
 * it and return a fresh, empty store and queue of one database.
 */
public abstract class ExecutionParentsContract {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final WorkerId W = new WorkerId("worker-w");
  private static final Instant T1 = T0.plusSeconds(10);
  private SharedState state;
  protected MetadataStore store;
  protected ExecutionQueue queue;

  /** A new, empty store and queue sharing one database. */
  protected abstract SharedState newState() throws Exception;

  @BeforeEach
  void open() throws Exception {
    state = newState();
    store = state.metadataStore();
    queue = state.queue();
  }

  @AfterEach
  void close() {
    state.close();
  }

  /** A queued execution without parents, stored and queued. */
  private ExecutionId parent() {
    return parentIn(null, 0);
  }

  /** As {@link #parent()}, its entry in {@code group} limited to {@code limit} (0: none). */
  private ExecutionId parentIn(String group, int limit) {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    store.create(r);
    queue.enqueue(new QueueEntry(r.id(), null, T0, 1, group, limit), T0, LEASE);
    return r.id();
  }

  /** A child of {@code parents}, stored and queued as a submitter does; its stored status. */
  private ExecutionId child(ExecutionId... parents) {
    return childIn(null, 0, parents);
  }

  /** As {@link #child}, its entry in {@code group} limited to {@code limit} (0: none). */
  private ExecutionId childIn(String group, int limit, ExecutionId... parents) {
    ExecutionRecord r = ExecutionRecord.waiting(Fixtures.id(T0),
        Fixtures.spec(Map.of(), null).withParents(Arrays.stream(parents)
            .map(ParentLink::after).toList()), T0.truncatedTo(ChronoUnit.MILLIS));
    store.create(r);
    if (!store.get(r.id()).status().isTerminal()) {
      queue.enqueue(new QueueEntry(r.id(), null, T0, 1, group, limit), T0, LEASE);
    }
    return r.id();
  }

  /** Ends {@code id} SUCCEEDED as its worker does: the store's end, then the entry's completion. */
  private void succeed(ExecutionId id) {
    end(id, ExecutionStatus.SUCCEEDED);
    assertThat(queue.complete(id, W)).as("completing %s", id).isTrue();
  }

  private List<ExecutionId> claim(int max) {
    return queue.claim(W, max, T1, LEASE).stream().map(Claim::executionId).toList();
  }

  private ExecutionRecord end(ExecutionId id, ExecutionStatus status) {
    return store.update(id, Set.of(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING),
        r -> r.toBuilder().transition(status, T1).build());
  }

  private ExecutionStatus status(ExecutionId id) {
    return store.get(id).status();
  }

  private List<ExecutionId> claimAll() {
    return queue.claim(W, 100, T1, LEASE).stream().map(Claim::executionId).toList();
  }

  @Test
  void aChildOfARunningParentWaitsAndItsEntryIsNeitherClaimableNorInTheDepth() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    assertThat(status(b)).isEqualTo(ExecutionStatus.WAITING);
    assertThat(store.get(b).transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING);
    assertThat(queue.depth()).isEqualTo(1); // a's entry only
    // Nobody reserves it: a process that adopts work stays for it.
    assertThat(queue.unowned(T1)).isEqualTo(2);
    assertThat(claimAll()).containsExactly(a);
    assertThat(queue.claimOwn(W, 10, T1, LEASE)).isEmpty();
  }

  @Test
  void theUpdateThatEndsAParentReleasesItsChildInTheSameStep() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    assertThat(claimAll()).containsExactly(a);
    end(a, ExecutionStatus.SUCCEEDED);
    // Nothing else was called: the end itself released the child.
    ExecutionRecord released = store.get(b);
    assertThat(released.status()).isEqualTo(ExecutionStatus.QUEUED);
    assertThat(released.transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
    assertThat(released.transitions().get(1).at()).isEqualTo(T1);
    assertThat(queue.depth()).isEqualTo(1);
    assertThat(claimAll()).containsExactly(b);
  }

  @Test
  void anUpdateThatDoesNotEndTheParentOrIsRefusedReleasesNothing() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    store.update(a, Set.of(ExecutionStatus.QUEUED),
        r -> r.toBuilder().transition(ExecutionStatus.RUNNING, T1).build());
    assertThatThrownBy(() -> store.update(a, Set.of(ExecutionStatus.RUNNING), r -> {
      throw new RGridException("refused", "nothing");
    })).hasMessageContaining("refused");
    assertThat(status(b)).isEqualTo(ExecutionStatus.WAITING);
    assertThat(claimAll()).containsExactly(a);
  }

  @Test
  void aFailedParentSkipsItsChildrenDownTheWholeChainNamingEachParent() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    ExecutionId c = child(b);
    end(a, ExecutionStatus.FAILED);
    ExecutionRecord skippedB = store.get(b);
    ExecutionRecord skippedC = store.get(c);
    assertThat(skippedB.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skippedB.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(skippedB.failure().message()).contains(a.value()).contains("FAILED");
    assertThat(skippedB.finishedAt()).isEqualTo(T1);
    assertThat(skippedC.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skippedC.failure().message()).contains(b.value()).contains("SKIPPED");
    assertThat(queue.remove(a)).isTrue(); // the parent's own entry: its worker would complete it
    assertThat(queue.depth()).isZero();
    assertThat(queue.remove(b)).isFalse(); // their entries went with them
    assertThat(queue.remove(c)).isFalse();
  }

  @Test
  void timedOutAndCancelledParentsSkipTheirChildrenToo() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    ExecutionId c = parent();
    ExecutionId d = child(c);
    end(a, ExecutionStatus.TIMED_OUT);
    end(c, ExecutionStatus.CANCELLED);
    assertThat(status(b)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(store.get(d).failure().message()).contains("CANCELLED");
  }

  @Test
  void aDiamondRunsItsLastStepOnlyOnceBothMiddleStepsSucceeded() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    ExecutionId c = child(a);
    ExecutionId d = child(b, c);
    end(a, ExecutionStatus.SUCCEEDED);
    assertThat(status(b)).isEqualTo(ExecutionStatus.QUEUED);
    assertThat(status(c)).isEqualTo(ExecutionStatus.QUEUED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.WAITING);
    end(b, ExecutionStatus.SUCCEEDED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.WAITING);
    assertThat(claimAll()).doesNotContain(d);
    end(c, ExecutionStatus.SUCCEEDED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.QUEUED);
    assertThat(claimAll()).containsExactly(d);
  }

  @Test
  void aDiamondWithOneFailedMiddleStepSkipsItsLastStepWhateverTheOtherDoes() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    ExecutionId c = child(a);
    ExecutionId d = child(b, c);
    end(a, ExecutionStatus.SUCCEEDED);
    end(b, ExecutionStatus.FAILED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(store.get(d).failure().message()).contains(b.value());
    end(c, ExecutionStatus.SUCCEEDED);
    assertThat(status(d)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(claimAll()).doesNotContain(d);
  }

  @Test
  void aChildOfEndedParentsIsStoredQueuedOrSkippedAtOnce() {
    ExecutionId ok = parent();
    end(ok, ExecutionStatus.SUCCEEDED);
    ExecutionId failed = parent();
    end(failed, ExecutionStatus.FAILED);
    ExecutionId queued = child(ok);
    assertThat(store.get(queued).transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
    ExecutionId skipped = child(ok, failed);
    assertThat(status(skipped)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(store.get(skipped).failure().message()).contains(failed.value());
    assertThat(claimAll()).contains(queued).doesNotContain(skipped);
  }

  @Test
  void anUnknownParentStoresNothing() {
    ExecutionId a = parent();
    ExecutionId unknown = Fixtures.id(T0);
    ExecutionRecord r = ExecutionRecord.waiting(Fixtures.id(T0), Fixtures.spec(Map.of(), null)
        .withParents(List.of(ParentLink.after(a), ParentLink.after(unknown))), T0);
    assertThatThrownBy(() -> store.create(r)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(unknown.value());
    assertThat(store.find(r.id())).isEmpty();
    end(a, ExecutionStatus.SUCCEEDED); // and no edge of it was left behind to trip over
    assertThat(store.find(r.id())).isEmpty();
  }

  @Test
  void aRecordWhoseStatusDoesNotFitItsParentsIsRefused() {
    ExecutionId a = parent();
    ExecutionRecord queuedChild = ExecutionRecord.queued(Fixtures.id(T0),
        Fixtures.spec(Map.of(), null).withParents(List.of(ParentLink.after(a))), T0);
    assertThatThrownBy(() -> store.create(queuedChild))
        .isInstanceOf(IllegalArgumentException.class);
    ExecutionRecord orphan = ExecutionRecord.waiting(Fixtures.id(T0),
        Fixtures.spec(Map.of(), null), T0);
    assertThatThrownBy(() -> store.create(orphan)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.find(queuedChild.id())).isEmpty();
    assertThat(store.find(orphan.id())).isEmpty();
  }

  @Test
  void aWaitingChildThatIsCancelledStopsWaitingAndSkipsItsOwnChildren() {
    ExecutionId a = parent();
    ExecutionId b = child(a);
    ExecutionId c = child(b);
    store.update(b, Set.of(ExecutionStatus.WAITING),
        r -> r.toBuilder().transition(ExecutionStatus.CANCELLED, T1).build());
    queue.remove(b);
    assertThat(status(c)).isEqualTo(ExecutionStatus.SKIPPED);
    end(a, ExecutionStatus.SUCCEEDED);
    assertThat(status(b)).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(claimAll()).containsExactly(a); // the parent's own entry, nothing of b or c
  }

  @Test
  void twoParentsEndingAtOnceReleaseTheirCommonChildExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        ExecutionId b = parent();
        ExecutionId c = parent();
        ExecutionId d = child(b, c);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ExecutionRecord>> ends = List.of(b, c).stream()
            .map(p -> pool.submit(() -> {
              go.await();
              return end(p, ExecutionStatus.SUCCEEDED);
            })).toList();
        go.countDown();
        for (Future<ExecutionRecord> f : ends) {
          f.get();
        }
        ExecutionRecord released = store.get(d);
        assertThat(released.status()).as("round %d", round).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(released.transitions()).extracting(StatusTransition::status)
            .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aReleasedChildAndGrandchildGoBeforeTheRootsQueuedBeforeThemDepthFirst() {
    ExecutionId a1 = parent();
    List<ExecutionId> roots = List.of(parent(), parent(), parent(), parent());
    ExecutionId b1 = child(a1);
    ExecutionId c1 = child(b1);
    assertThat(claim(1)).containsExactly(a1);
    succeed(a1);
    // Queued after a2..a5 but one step further down a chain: first, as make -j would start it.
    assertThat(claim(1)).containsExactly(b1);
    // Given back for another attempt, it keeps its place (its depth) ahead of the roots.
    assertThat(queue.retry(b1, W, T1, 2)).isTrue();
    List<Claim> again = queue.claim(W, 1, T1, LEASE);
    assertThat(again).extracting(Claim::executionId).containsExactly(b1);
    assertThat(again.get(0).attempt()).isEqualTo(2);
    succeed(b1);
    assertThat(claim(1)).containsExactly(c1);
    succeed(c1);
    assertThat(claimAll()).containsExactlyElementsOf(roots); // then the roots, oldest first
  }

  @Test
  void aLimitedGroupHandsOutItsDeepestEntriesFirstAndItsLimitStillHolds() {
    ExecutionId a1 = parent();
    ExecutionId a2 = parent();
    ExecutionId g1 = parentIn("g", 2);
    ExecutionId g2 = parentIn("g", 2);
    ExecutionId b1 = childIn("g", 2, a1);
    ExecutionId b2 = childIn("g", 2, a2);
    ExecutionId b3 = childIn("g", 2, a2);
    assertThat(claim(2)).containsExactly(a1, a2);
    succeed(a1);
    succeed(a2);
    ExecutionId fresh = parent();
    // The group's two places go to its released children, not to its older roots; the fresh
    // root comes after them, and nothing more of the group is handed out.
    assertThat(claimAll()).containsExactly(b1, b2, fresh);
    assertThat(claimAll()).isEmpty();
    succeed(b1);
    assertThat(claimAll()).containsExactly(b3);
    assertThat(claimAll()).isEmpty();
    succeed(b2);
    succeed(b3);
    assertThat(claimAll()).containsExactly(g1, g2);
  }

  @Test
  void aChildOfAnEndedParentIsARootClaimedInItsTurn() {
    ExecutionId a = parent();
    assertThat(claim(1)).containsExactly(a);
    succeed(a);
    ExecutionId before = parent();
    ExecutionId b = child(a);
    ExecutionId after = parent();
    assertThat(status(b)).isEqualTo(ExecutionStatus.QUEUED);
    assertThat(claimAll()).containsExactly(before, b, after);
  }
}
