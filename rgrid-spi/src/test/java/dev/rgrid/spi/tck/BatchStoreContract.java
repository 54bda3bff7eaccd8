package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchStore;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BatchStore} passes: a batch is stored once and summarised over the
 * latest execution of each of its inputs. Extend it and return a fresh, empty store (see {@link
 * MetadataStoreFixture}).
 */
public abstract class BatchStoreContract extends MetadataStoreFixture {
  @Test
  void storesABatchAndRefusesItsIdTwice() {
    BatchId id = BatchId.generate(T0, new Random(7));
    BatchRecord batch = new BatchRecord(id, T0, "job.py", "python3.11", 3, 2,
        Map.of("team", "ü x"));
    store.createBatch(batch);
    assertThat(store.findBatch(id)).contains(batch);
    assertThat(store.findBatch(BatchId.generate(T0, new Random(8)))).isEmpty();
    assertThatThrownBy(() -> store.createBatch(batch)).isInstanceOf(ConflictException.class);
  }

  @Test
  void summarisesTheLatestExecutionOfEachInputOfABatch() {
    BatchId id = BatchId.generate(T0, new Random(9));
    String b = id.value();
    ExecutionRecord ok = queued(T0, Map.of(), b);
    ExecutionRecord hit = queued(T0.plusMillis(1), Map.of(), b);
    ExecutionRecord failed = queued(T0.plusMillis(2), Map.of(), b);
    ExecutionRecord retry = queued(T0.plusMillis(3), Map.of(), b);
    ExecutionRecord waiting = queued(T0.plusMillis(4), Map.of(), b);
    ExecutionRecord elsewhere = queued(T0.plusMillis(5), Map.of(), null);
    for (ExecutionRecord r : List.of(ok, hit, failed, retry, waiting, elsewhere)) {
      store.create(r);
    }
    store.update(ok.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(1_500)
        .transition(ExecutionStatus.SUCCEEDED, T0.plusSeconds(9)).build());
    store.update(hit.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().cachedFrom(ok.id())
        .transition(ExecutionStatus.SUCCEEDED, T0.plusSeconds(3)).build());
    store.update(failed.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(700)
        .retriedBy(retry.id()).transition(ExecutionStatus.FAILED, T0.plusSeconds(4)).build());
    store.update(retry.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(20)
        .transition(ExecutionStatus.FAILED, T0.plusSeconds(12)).build());
    store.update(elsewhere.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .costMicros(99).transition(ExecutionStatus.FAILED, T0.plusSeconds(30)).build());

    BatchSummary summary = store.batchSummary(id);
    assertThat(summary.count(ExecutionStatus.SUCCEEDED)).isEqualTo(2);
    assertThat(summary.count(ExecutionStatus.FAILED)).isEqualTo(1);
    assertThat(summary.count(ExecutionStatus.QUEUED)).isEqualTo(1);
    assertThat(summary.count(ExecutionStatus.RUNNING)).isZero();
    assertThat(summary.total()).isEqualTo(4);
    assertThat(summary.cached()).isEqualTo(1);
    assertThat(summary.costMicros()).isEqualTo(1_520);
    assertThat(summary.lastFinished()).isEqualTo(T0.plusSeconds(12));
  }

  @Test
  void summarisesABatchWithoutExecutionsAsEmpty() {
    BatchId id = BatchId.generate(T0, new Random(10));
    // Stored before any of its executions, as every batch is: nothing is counted, least of all
    // as failed (the inputs are still to come).
    store.createBatch(new BatchRecord(id, T0, "job.py", "python3.11", 4, 2, Map.of()));
    BatchSummary summary = store.batchSummary(id);
    assertThat(summary.counts()).isEmpty();
    assertThat(summary.total()).isZero();
    assertThat(summary.costMicros()).isZero();
    assertThat(summary.lastFinished()).isNull();
  }

  @Test
  void listsBatchesNewestFirstByLabelPageByPage() {
    Random random = new Random(11);
    List<BatchRecord> made = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // Alternating owners; a label value with a quote and a key with a dot and a quote, so
      // the store matches them as values, never as query text.
      Map<String, String> labels = i % 2 == 0
          ? Map.of("rgrid.account", "acc_a", "te\"am", "x'y")
          : Map.of("rgrid.account", "acc_b");
      BatchRecord b = new BatchRecord(BatchId.generate(T0.plusSeconds(i), random),
          T0.plusSeconds(i), "job" + i + ".py", "python3.11", 1 + i, 1, labels);
      store.createBatch(b);
      made.add(b);
    }
    assertThat(store.listBatches(Map.of(), null, 10))
        .containsExactly(made.get(4), made.get(3), made.get(2), made.get(1), made.get(0));
    assertThat(store.listBatches(Map.of("rgrid.account", "acc_a"), null, 10))
        .containsExactly(made.get(4), made.get(2), made.get(0));
    assertThat(store.listBatches(Map.of("rgrid.account", "acc_a", "te\"am", "x'y"), null, 10))
        .containsExactly(made.get(4), made.get(2), made.get(0));
    assertThat(store.listBatches(Map.of("rgrid.account", "acc_a", "te\"am", "x"), null, 10))
        .isEmpty();
    assertThat(store.listBatches(Map.of("rgrid.account", "acc_c"), null, 10)).isEmpty();
    // Pages: the last id of one page is the cursor of the next.
    List<BatchRecord> first = store.listBatches(Map.of(), null, 2);
    assertThat(first).containsExactly(made.get(4), made.get(3));
    assertThat(store.listBatches(Map.of(), first.get(1).id(), 2))
        .containsExactly(made.get(2), made.get(1));
    assertThat(store.listBatches(Map.of("rgrid.account", "acc_b"), made.get(1).id(), 2))
        .isEmpty();
    assertThatThrownBy(() -> store.listBatches(Map.of(), null, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.listBatches(Map.of(), null, 1001))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void removesABatchOnlyWhileNoExecutionOfItIsStored() {
    BatchId empty = BatchId.generate(T0, new Random(21));
    BatchId used = BatchId.generate(T0, new Random(22));
    BatchId other = BatchId.generate(T0, new Random(23));
    for (BatchId id : List.of(empty, used, other)) {
      store.createBatch(new BatchRecord(id, T0, "job.py", "python3.11", 2, 1, Map.of()));
    }
    store.create(queued(T0, Map.of(), used.value()));
    assertThat(store.removeEmptyBatch(empty)).isTrue();
    assertThat(store.findBatch(empty)).isEmpty();
    assertThat(store.removeEmptyBatch(empty)).as("already gone").isFalse();
    assertThat(store.removeEmptyBatch(used)).as("it has an execution").isFalse();
    assertThat(store.findBatch(used)).isPresent();
    assertThat(store.findBatch(other)).as("another batch").isPresent();
    assertThat(store.listBatches(Map.of(), null, 10)).extracting(BatchRecord::id)
        .containsExactlyInAnyOrder(used, other);
  }
}
