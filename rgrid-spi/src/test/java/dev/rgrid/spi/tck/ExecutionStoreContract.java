package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.cacheKey;
import static dev.rgrid.spi.tck.Fixtures.key;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ExecutionStore} passes: records are stored unchanged, updated by
 * compare-and-set (one winner among racing updates; nothing written when a change refuses) and
 * listed newest first, page by page and by filter. Extend it and return a fresh, empty store (see
 * {@link MetadataStoreFixture}).
 */
public abstract class ExecutionStoreContract extends MetadataStoreFixture {
  @Test
  void storesAndReturnsAnExecutionUnchanged() {
    ExecutionRecord r = queued(T0, Map.of("team", "data"), "batch_1");
    store.create(r);
    assertThat(store.find(r.id())).contains(r);
    assertThat(store.get(r.id())).isEqualTo(r);
  }

  @Test
  void keepsEveryFieldOfAFinishedExecution() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    ExecutionId other = Fixtures.id(T0);
    ExecutionRecord done = store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .workerId(new WorkerId("w-1")).startedAt(T0.plusSeconds(1)).attempt(2)
        .transition(ExecutionStatus.RUNNING, T0.plusSeconds(1))
        .exitCode(3).failure(new FailureReason(FailureKind.SCRIPT_EXIT, "exit 3", "see logs"))
        .logTruncated(true).stdout(key(7)).stderr(key(8)).cachedFrom(other).costMicros(194_333)
        .transition(ExecutionStatus.FAILED, T0.plusMillis(2500)).build());
    assertThat(store.get(r.id())).isEqualTo(done);
    assertThat(done.transitions()).extracting(t -> t.status())
        .containsExactly(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.FAILED);
    assertThat(done.finishedAt()).isEqualTo(T0.plusMillis(2500));
  }

  @Test
  void refusesASecondExecutionWithTheSameId() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    assertThatThrownBy(() -> store.create(r)).isInstanceOf(ConflictException.class);
  }

  @Test
  void saysNotFoundForAnUnknownExecution() {
    ExecutionId unknown = Fixtures.id(T0);
    assertThat(store.find(unknown)).isEmpty();
    assertThatThrownBy(() -> store.get(unknown)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.update(unknown, Set.of(ExecutionStatus.QUEUED), x -> x))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void refusesAnUpdateWhoseExpectedStatusNoLongerHolds() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    assertThatThrownBy(() -> store.update(r.id(), Set.of(ExecutionStatus.RUNNING),
        x -> x.toBuilder().transition(ExecutionStatus.SUCCEEDED, T0).build()))
        .isInstanceOf(ConflictException.class);
    assertThat(store.get(r.id())).isEqualTo(r);
  }

  @Test
  void writesNothingWhenTheChangeRefusesAndPassesItsExceptionOn() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    ConflictException refusal = new ConflictException("not this attempt's to end");
    assertThatThrownBy(() -> store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> {
      throw refusal;
    })).isSameAs(refusal);
    assertThat(store.get(r.id())).isEqualTo(r);
    // The store stays usable after the refused transaction.
    ExecutionRecord running = store.update(r.id(), Set.of(ExecutionStatus.QUEUED),
        x -> x.toBuilder().transition(ExecutionStatus.RUNNING, T0).build());
    assertThat(store.get(r.id())).isEqualTo(running);
  }

  @Test
  void letsExactlyOneOfManyConcurrentUpdatesWin() throws Exception {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String worker = "w-" + i;
      results.add(pool.submit(() -> {
        start.await();
        try {
          store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
              .workerId(new WorkerId(worker)).transition(ExecutionStatus.RUNNING, T0).build());
          return true;
        } catch (ConflictException e) {
          return false;
        }
      }));
    }
    start.countDown();
    int wins = 0;
    for (Future<Boolean> f : results) {
      wins += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();
    assertThat(wins).isEqualTo(1);
    assertThat(store.get(r.id()).transitions()).hasSize(2);
  }

  @Test
  void listsNewestFirstPageByPage() {
    List<ExecutionId> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ExecutionRecord r = queued(T0.plusSeconds(i), Map.of(), null);
      store.create(r);
      ids.add(0, r.id());
    }
    ExecutionPage first = store.list(ExecutionQuery.latest(2));
    assertThat(first.items()).extracting(ExecutionRecord::id).containsExactly(ids.get(0), ids.get(1));
    assertThat(first.next()).isNotNull();
    ExecutionPage second = store.list(new ExecutionQuery(Set.of(), Map.of(), null, first.next(), 2));
    assertThat(second.items()).extracting(ExecutionRecord::id).containsExactly(ids.get(2), ids.get(3));
    ExecutionPage third = store.list(new ExecutionQuery(Set.of(), Map.of(), null, second.next(), 2));
    assertThat(third.items()).extracting(ExecutionRecord::id).containsExactly(ids.get(4));
    assertThat(third.next()).isNull();
  }

  @Test
  void filtersByStatusLabelsAndBatch() {
    ExecutionRecord a = queued(T0, Map.of("team", "data", "env", "prod"), "batch_1");
    ExecutionRecord b = queued(T0.plusSeconds(1), Map.of("team", "data"), null);
    ExecutionRecord c = queued(T0.plusSeconds(2), Map.of("team", "web"), "batch_1");
    store.create(a);
    store.create(b);
    store.create(c);
    store.update(b.id(), Set.of(ExecutionStatus.QUEUED),
        x -> x.toBuilder().transition(ExecutionStatus.CANCELLED, T0).build());

    assertThat(ids(new ExecutionQuery(Set.of(), Map.of("team", "data"), null, null, 10)))
        .containsExactly(b.id(), a.id());
    assertThat(ids(new ExecutionQuery(Set.of(), Map.of("team", "data", "env", "prod"), null, null, 10)))
        .containsExactly(a.id());
    assertThat(ids(new ExecutionQuery(Set.of(ExecutionStatus.CANCELLED), Map.of(), null, null, 10)))
        .containsExactly(b.id());
    assertThat(ids(new ExecutionQuery(Set.of(), Map.of(), "batch_1", null, 10)))
        .containsExactly(c.id(), a.id());
    assertThat(ids(new ExecutionQuery(Set.of(ExecutionStatus.QUEUED), Map.of("team", "web"),
        "batch_1", null, 10))).containsExactly(c.id());
    assertThat(ids(new ExecutionQuery(Set.of(), Map.of("team", "nobody"), null, null, 10))).isEmpty();
  }

  @Test
  void treatsLabelValuesAsDataNotAsQuerySyntax() {
    ExecutionRecord a = queued(T0, Map.of("k", "x' OR '1'='1"), null);
    ExecutionRecord b = queued(T0.plusSeconds(1), Map.of("k", "y"), null);
    store.create(a);
    store.create(b);
    assertThat(ids(new ExecutionQuery(Set.of(), Map.of("k", "x' OR '1'='1"), null, null, 10)))
        .containsExactly(a.id());
    assertThat(ids(new ExecutionQuery(Set.of(), Map.of("k", "%"), null, null, 10))).isEmpty();
  }

  @Test
  void keepsTheCacheKeyOfAnExecutionThroughCreateAndUpdate() {
    ExecutionRecord r = queued(T0, Map.of(), null).toBuilder().cacheKey(cacheKey(1)).build();
    store.create(r);
    assertThat(store.get(r.id())).isEqualTo(r);
    ExecutionRecord rekeyed = store.update(r.id(), Set.of(ExecutionStatus.QUEUED),
        x -> x.toBuilder().cacheKey(cacheKey(2)).build());
    assertThat(store.get(r.id())).isEqualTo(rekeyed);
    assertThat(rekeyed.cacheKey()).isEqualTo(cacheKey(2));
    store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().cacheKey(null).build());
    assertThat(store.get(r.id()).cacheKey()).isNull();
  }

  @Test
  void keepsTheRequirementsScriptFilesAndCacheFlagOfASpec() {
    ExecutionSpec base = Fixtures.spec(Map.of(), null);
    ExecutionSpec spec = new ExecutionSpec(base.scriptName(), base.script(), base.runtime(),
        base.args(), base.env(), base.inputs(), base.timeout(), base.labels(), base.batchId(),
        base.resources(), base.network(), List.of("numpy==2.1.3", "pandas>=2.2"),
        "PEP 723 block in job.py", List.of(new InputFile("helpers/util.py", key(5), 42),
            new InputFile("ü pkg/__init__.py", key(6), 0)), false,
        RetryPolicy.defaults().withMaxRetries(5).withInitialDelay(Duration.ofMillis(250))
            .withRetryOn(EnumSet.of(FailureKind.START_FAILED)),
        Map.of("API_TOKEN", "TOKEN", "OTHER_VAR", "TOKEN"));
    ExecutionRecord r = ExecutionRecord.queued(Fixtures.id(T0), spec, T0);
    ExecutionRecord plain = queued(T0, Map.of(), null);
    store.create(r);
    store.create(plain);
    assertThat(store.get(r.id())).isEqualTo(r);
    assertThat(store.get(r.id()).spec().cache()).isFalse();
    ExecutionSpec stored = store.get(plain.id()).spec();
    assertThat(stored.cache()).isTrue();
    assertThat(stored.requirements()).isEmpty();
    assertThat(stored.requirementsSource()).isNull();
    assertThat(stored.scriptFiles()).isEmpty();
  }

  private List<ExecutionId> ids(ExecutionQuery q) {
    return store.list(q).items().stream().map(ExecutionRecord::id).toList();
  }
}
