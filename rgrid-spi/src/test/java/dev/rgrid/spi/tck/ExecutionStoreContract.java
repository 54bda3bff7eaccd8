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
  void filtersByScriptNameStartTimeAndFreeTextAndPagesByKeyUnderEachFilter() {
    ExecutionRecord a = queued(T0, "etl.py", Map.of("team", "Data"));
    ExecutionRecord b = queued(T0.plusSeconds(1), "report.py", Map.of("stage", "nightly"));
    ExecutionRecord c = queued(T0.plusSeconds(2), "etl.py", Map.of());
    ExecutionRecord d = queued(T0.plusSeconds(3), "etl.py", Map.of("rgrid.account", "zzz"));
    ExecutionRecord never = queued(T0.plusSeconds(4), "etl.py", Map.of());
    for (ExecutionRecord r : List.of(a, b, c, d, never)) {
      store.create(r);
    }
    // a, b, c and d start 100 s apart (in reverse of their creation order, to tell the two apart);
    // "never" has not started.
    List<ExecutionRecord> started = List.of(d, c, b, a);
    for (int i = 0; i < started.size(); i++) {
      java.time.Instant at = T0.plusSeconds(100L * (i + 1)).plusNanos(1_000);
      store.update(started.get(i).id(), Set.of(ExecutionStatus.QUEUED),
          x -> x.toBuilder().transition(ExecutionStatus.RUNNING, at).startedAt(at).build());
    }
    ExecutionQuery all = ExecutionQuery.latest(10);

    assertThat(ids(all.withScriptName("etl.py"))).containsExactly(never.id(), d.id(), c.id(),
        a.id());
    assertThat(ids(all.withScriptName("etl"))).as("a name matches whole").isEmpty();
    // From is inclusive, to exclusive: c started at 200 s (+1 µs), b at 300 s, a at 400 s.
    java.time.Instant cAt = T0.plusSeconds(200).plusNanos(1_000);
    assertThat(ids(all.withStarted(cAt, T0.plusSeconds(400)))).containsExactly(c.id(), b.id());
    assertThat(ids(all.withStarted(cAt.plusNanos(1_000), null))).containsExactly(b.id(), a.id());
    assertThat(ids(all.withStarted(null, cAt))).containsExactly(d.id());
    assertThat(ids(all.withStarted(null, cAt.plusNanos(1_000)))).containsExactly(d.id(), c.id());
    assertThat(ids(all.withStarted(java.time.Instant.parse("1000-01-01T00:00:00Z"),
        java.time.Instant.parse("+99999-01-01T00:00:00Z")))).as("far bounds keep everything")
        .containsExactly(d.id(), c.id(), b.id(), a.id());
    // Free text: a part of the id, of the script name, or of a label's key or value, with ASCII
    // letters in either case; RGrid's own labels (rgrid.*) are not searched.
    String idPart = b.id().value().substring(9, 20).toLowerCase(java.util.Locale.ROOT);
    assertThat(ids(all.withText(idPart))).containsExactly(b.id());
    assertThat(ids(all.withText("PORT.p"))).containsExactly(b.id());
    assertThat(ids(all.withText("data"))).containsExactly(a.id());
    assertThat(ids(all.withText("STAGE"))).containsExactly(b.id());
    assertThat(ids(all.withText("zzz"))).isEmpty();
    assertThat(ids(all.withText("rgrid."))).isEmpty();
    assertThat(ids(all.withText("%"))).as("no wildcard").isEmpty();
    assertThat(ids(all.withText("e_l"))).as("no wildcard").isEmpty();
    assertThat(ids(all.withText("' OR '1'='1"))).isEmpty();
    // Filters combine, and a page under them continues by key where the previous one ended.
    ExecutionQuery etlStarted = new ExecutionQuery(Set.of(ExecutionStatus.RUNNING), Map.of(),
        null, null, 1).withScriptName("etl.py").withStarted(T0, null).withText("etl");
    ExecutionPage first = store.list(etlStarted);
    assertThat(first.items()).extracting(ExecutionRecord::id).containsExactly(d.id());
    ExecutionPage second = store.list(new ExecutionQuery(etlStarted.statuses(), Map.of(), null,
        first.next(), 1, "etl.py", T0, null, "etl"));
    assertThat(second.items()).extracting(ExecutionRecord::id).containsExactly(c.id());
    ExecutionPage third = store.list(new ExecutionQuery(etlStarted.statuses(), Map.of(), null,
        second.next(), 1, "etl.py", T0, null, "etl"));
    assertThat(third.items()).extracting(ExecutionRecord::id).containsExactly(a.id());
    assertThat(third.next()).isNull();
  }

  @Test
  void refusesAFreeTextLongerThanTheLimitAndAnEmptyTimeRange() {
    ExecutionQuery all = ExecutionQuery.latest(10);
    assertThat(all.withText("x".repeat(ExecutionQuery.MAX_TEXT)).text()).hasSize(200);
    assertThatThrownBy(() -> all.withText("x".repeat(ExecutionQuery.MAX_TEXT + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 200");
    assertThatThrownBy(() -> all.withStarted(T0, T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThat(all.withText("  ").text()).as("blank: no filter").isNull();
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
