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
}
