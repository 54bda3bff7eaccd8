package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.BatchRecord;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a run that waits for a whole batch ({@code rgrid run --after BATCH_ID}), kept by
 * a metadata store and the queue on the same database: the child waits until every input's latest
 * run has ended, is released by the update that ends the last of them, and is skipped by the first
 * that does not succeed. Extend it and return a fresh, empty store and queue of one database.
 */
public abstract class BatchParentsContract {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final WorkerId W = new WorkerId("worker-w");
  private static final Instant T1 = T0.plusSeconds(10);
  private static final Random RANDOM = new Random(21);
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

  /** A batch of {@code size} inputs, with {@code stored} of its runs stored and queued. */
  private BatchId batch(int size, int stored, List<ExecutionId> runs) {
    BatchId id = BatchId.generate(T0, RANDOM);
    store.createBatch(new BatchRecord(id, T0, "job.py", "python3.11", size, 0, Map.of()));
    for (int i = 0; i < stored; i++) {
      ExecutionRecord r = Fixtures.queued(T0, Map.of(), id.value());
      store.create(r);
      queue.enqueue(new QueueEntry(r.id(), null, T0, 1), T0, LEASE);
      runs.add(r.id());
    }
    return id;
  }

  /** A child of {@code links}, stored and queued as a submitter does. */
  private ExecutionId child(ParentLink... links) {
    ExecutionRecord r = ExecutionRecord.waiting(Fixtures.id(T0), Fixtures.spec(Map.of(), null)
        .withParents(List.of(links)), T0.truncatedTo(ChronoUnit.MILLIS));
    store.create(r);
    if (!store.get(r.id()).status().isTerminal()) {
      queue.enqueue(new QueueEntry(r.id(), null, T0, 1), T0, LEASE);
    }
    return r.id();
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
  void aChildOfABatchOfThreeIsReleasedByTheUpdateThatEndsTheThirdRun() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId batch = batch(3, 3, runs);
    ExecutionId child = child(ParentLink.after(batch));
    assertThat(status(child)).isEqualTo(ExecutionStatus.WAITING);
    assertThat(claimAll()).containsExactlyInAnyOrderElementsOf(runs); // not the child
    end(runs.get(0), ExecutionStatus.SUCCEEDED);
    end(runs.get(2), ExecutionStatus.SUCCEEDED);
    assertThat(status(child)).isEqualTo(ExecutionStatus.WAITING);
    assertThat(claimAll()).isEmpty();
    end(runs.get(1), ExecutionStatus.SUCCEEDED);
    // Nothing else was called: the third run's end itself released the child.
    ExecutionRecord released = store.get(child);
    assertThat(released.transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
    assertThat(released.transitions().get(1).at()).isEqualTo(T1);
    assertThat(claimAll()).containsExactly(child);
  }

  @Test
  void theFirstRunThatDoesNotSucceedSkipsTheChildNamingTheBatchAndTheRun() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId batch = batch(3, 3, runs);
    ExecutionId child = child(new ParentLink(batch, "**/part.csv"));
    ExecutionId grandchild = child(ParentLink.after(child));
    end(runs.get(0), ExecutionStatus.SUCCEEDED);
    end(runs.get(1), ExecutionStatus.TIMED_OUT);
    ExecutionRecord skipped = store.get(child);
    assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skipped.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(skipped.failure().message()).contains(batch.value())
        .contains(runs.get(1).value()).contains("TIMED_OUT");
    assertThat(status(grandchild)).isEqualTo(ExecutionStatus.SKIPPED);
    end(runs.get(2), ExecutionStatus.SUCCEEDED);
    assertThat(status(child)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(queue.remove(child)).isFalse(); // its entry went with it
  }

  @Test
  void aRunRetriedAutomaticallyIsNotEndedUntilItsLastAttempt() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId batch = batch(2, 2, runs);
    ExecutionId child = child(ParentLink.after(batch));
    end(runs.get(0), ExecutionStatus.SUCCEEDED);
    store.update(runs.get(1), Set.of(ExecutionStatus.QUEUED),
        r -> r.toBuilder().transition(ExecutionStatus.RUNNING, T1).build());
    // A failed attempt with retries left goes back to the queue: not an end.
    store.update(runs.get(1), Set.of(ExecutionStatus.RUNNING),
        r -> r.toBuilder().attempt(2).transition(ExecutionStatus.QUEUED, T1).build());
    assertThat(status(child)).isEqualTo(ExecutionStatus.WAITING);
    end(runs.get(1), ExecutionStatus.SUCCEEDED);
    assertThat(status(child)).isEqualTo(ExecutionStatus.QUEUED);
  }

  @Test
  void anEndedBatchReleasesOrSkipsAChildAtOnceCountingEachInputsLatestRun() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId ok = batch(2, 2, runs);
    end(runs.get(0), ExecutionStatus.SUCCEEDED);
    ExecutionRecord failed = end(runs.get(1), ExecutionStatus.FAILED);
    ExecutionId skipped = child(ParentLink.after(ok));
    assertThat(status(skipped)).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(store.get(skipped).failure().message()).contains(ok.value())
        .contains(failed.id().value());
    // Retried by hand: the retry stands for what it retried, as in the batch's progress.
    ExecutionRecord retry = Fixtures.queued(T0, Map.of(), ok.value()).toBuilder()
        .retryOf(failed.id()).build();
    store.create(retry);
    store.update(failed.id(), Set.of(ExecutionStatus.FAILED),
        r -> r.toBuilder().retriedBy(retry.id()).build());
    ExecutionId waiting = child(ParentLink.after(ok));
    assertThat(status(waiting)).isEqualTo(ExecutionStatus.WAITING);
    end(retry.id(), ExecutionStatus.SUCCEEDED);
    assertThat(status(waiting)).isEqualTo(ExecutionStatus.QUEUED);
    ExecutionId released = child(ParentLink.after(ok), ParentLink.after(runs.get(0)));
    assertThat(store.get(released).transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
  }

  @Test
  void aChildNamingABatchAndOneOfItsRunsWaitsForEachRunOnce() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId batch = batch(2, 2, runs);
    ExecutionId child = child(ParentLink.after(batch), ParentLink.after(runs.get(1)));
    end(runs.get(1), ExecutionStatus.SUCCEEDED);
    assertThat(status(child)).isEqualTo(ExecutionStatus.WAITING);
    end(runs.get(0), ExecutionStatus.SUCCEEDED);
    assertThat(status(child)).isEqualTo(ExecutionStatus.QUEUED);
  }

  @Test
  void anUnknownOrPartlyStoredBatchStoresNothing() {
    List<ExecutionId> runs = new ArrayList<>();
    BatchId unknown = BatchId.generate(T0, RANDOM);
    ExecutionRecord orphan = ExecutionRecord.waiting(Fixtures.id(T0), Fixtures.spec(Map.of(),
        null).withParents(List.of(ParentLink.after(unknown))), T0);
    assertThatThrownBy(() -> store.create(orphan)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(unknown.value());
    BatchId partial = batch(3, 2, runs);
    ExecutionRecord early = ExecutionRecord.waiting(Fixtures.id(T0), Fixtures.spec(Map.of(),
        null).withParents(List.of(ParentLink.after(partial))), T0);
    assertThatThrownBy(() -> store.create(early)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("2 of its 3 runs");
    assertThat(store.find(orphan.id())).isEmpty();
    assertThat(store.find(early.id())).isEmpty();
    end(runs.get(0), ExecutionStatus.SUCCEEDED); // and no edge of it was left behind
    assertThat(store.find(early.id())).isEmpty();
  }

  @Test
  void twoRunsEndingAtOnceReleaseTheChildExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        List<ExecutionId> runs = new ArrayList<>();
        BatchId batch = batch(3, 3, runs);
        ExecutionId child = child(ParentLink.after(batch));
        end(runs.get(0), ExecutionStatus.SUCCEEDED);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ExecutionRecord>> ends = runs.subList(1, 3).stream()
            .map(p -> pool.submit(() -> {
              go.await();
              return end(p, ExecutionStatus.SUCCEEDED);
            })).toList();
        go.countDown();
        for (Future<ExecutionRecord> f : ends) {
          f.get();
        }
        assertThat(store.get(child).transitions()).as("round %d", round)
            .extracting(StatusTransition::status)
            .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aChildStoredWhileTheBatchsRunsEndIsNeverLeftWaiting() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 10; round++) {
        List<ExecutionId> runs = new ArrayList<>();
        BatchId batch = batch(3, 3, runs);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (ExecutionId run : runs) {
          work.add(pool.submit(() -> {
            go.await();
            return end(run, ExecutionStatus.SUCCEEDED);
          }));
        }
        Future<ExecutionId> child = pool.submit(() -> {
          go.await();
          return child(ParentLink.after(batch));
        });
        go.countDown();
        for (Future<?> f : work) {
          f.get();
        }
        // Stored before, between or after the ends: released either way, never left waiting.
        assertThat(status(child.get())).as("round %d", round).isEqualTo(ExecutionStatus.QUEUED);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
