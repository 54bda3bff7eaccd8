package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.key;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MetadataStore} passes. Extend it and return a fresh, empty store.
 */
public abstract class MetadataStoreContract {
  protected MetadataStore store;

  /** A new, empty store. */
  protected abstract MetadataStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

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
  void keepsLogLinesInOrderAndIgnoresResentOnes() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    List<LogLine> lines = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      lines.add(new LogLine(i, i % 2 == 0 ? LogStream.STDERR : LogStream.STDOUT,
          T0.plusMillis(i), "line " + i + " ünïcødé \t 'quoted'"));
    }
    store.appendLogs(r.id(), lines.subList(0, 6));
    store.appendLogs(r.id(), lines.subList(4, 10));
    assertThat(store.logs(r.id(), 0, 100)).containsExactlyElementsOf(lines);
    assertThat(store.logs(r.id(), 7, 100)).containsExactlyElementsOf(lines.subList(7, 10));
    assertThat(store.logs(r.id(), 2, 3)).containsExactlyElementsOf(lines.subList(2, 5));
    assertThat(store.logs(r.id(), 10, 100)).isEmpty();
  }

  @Test
  void keepsLongAndEmptyLogLines() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    String longText = "x".repeat(200_000);
    List<LogLine> lines = List.of(new LogLine(1, LogStream.STDOUT, T0, ""),
        new LogLine(2, LogStream.STDOUT, T0, longText),
        new LogLine(3, LogStream.SYSTEM, T0, "\uFFFD marker"));
    store.appendLogs(r.id(), lines);
    assertThat(store.logs(r.id(), 0, 10)).containsExactlyElementsOf(lines);
  }

  @Test
  void recordsArtifactsAllAtOnceAndOnlyOnce() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    assertThat(store.artifacts(r.id())).isEmpty();
    List<Artifact> artifacts = List.of(new Artifact("out/b.txt", 3, key(3)),
        new Artifact("a.csv", 0, key(4)), new Artifact("ü space.bin", 1L << 33, key(5)));
    store.putArtifacts(r.id(), artifacts);
    assertThat(store.artifacts(r.id())).containsExactlyInAnyOrderElementsOf(artifacts);
    assertThatThrownBy(() -> store.putArtifacts(r.id(), List.of(new Artifact("c", 1, key(6)))))
        .isInstanceOf(ConflictException.class);
    assertThat(store.artifacts(r.id())).containsExactlyInAnyOrderElementsOf(artifacts);
  }

  @Test
  void removesTheArtifactsOfALostAttemptSoTheNextRecordsItsOwn() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    ExecutionRecord other = queued(T0.plusMillis(1), Map.of(), null);
    store.create(r);
    store.create(other);
    store.putArtifacts(r.id(), List.of(new Artifact("a", 1, key(3)), new Artifact("b", 2, key(4))));
    store.putArtifacts(other.id(), List.of(new Artifact("a", 1, key(3))));
    assertThat(store.removeArtifacts(r.id())).isEqualTo(2);
    assertThat(store.artifacts(r.id())).isEmpty();
    assertThat(store.removeArtifacts(r.id())).isZero();
    store.putArtifacts(r.id(), List.of(new Artifact("c", 3, key(5))));
    assertThat(store.artifacts(r.id())).extracting(Artifact::path).containsExactly("c");
    assertThat(store.artifacts(other.id())).hasSize(1);
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
        RetryPolicy.defaults().withMaxRetries(5).withInitialDelay(java.time.Duration.ofMillis(250))
            .withRetryOn(java.util.EnumSet.of(FailureKind.START_FAILED)));
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

  @Test
  void returnsAUsedCacheEntryWithTheHitCountedAndTheUseTimed() {
    CacheEntry entry = cacheEntry(1, T0);
    store.putCacheEntry(entry);
    Instant now = T0.plusSeconds(90).plusMillis(7);
    assertThat(store.useCacheEntry(entry.key(), now)).contains(used(entry, now, 1));
    Instant later = now.plusSeconds(1);
    assertThat(store.useCacheEntry(entry.key(), later)).contains(used(entry, later, 2));
    assertThat(store.cacheEntries(10)).containsExactly(used(entry, later, 2));
  }

  @Test
  void findsNoCacheEntryForAnUnknownKeyAndStoresNothing() {
    CacheEntry entry = cacheEntry(1, T0);
    store.putCacheEntry(entry);
    assertThat(store.useCacheEntry(cacheKey(2), T0.plusSeconds(1))).isEmpty();
    assertThat(store.cacheEntries(10)).containsExactly(entry);
  }

  @Test
  void replacesACacheEntryPutAgainUnderItsKey() {
    CacheEntry first = cacheEntry(1, T0);
    store.putCacheEntry(first);
    store.useCacheEntry(first.key(), T0.plusSeconds(1));
    CacheEntry second = new CacheEntry(first.key(), Fixtures.id(T0), "python3.12", "other.py",
        1L << 40, T0.plusSeconds(5), T0.plusSeconds(5), 0);
    store.putCacheEntry(second);
    assertThat(store.cacheEntries(10)).containsExactly(second);
    assertThat(store.useCacheEntry(first.key(), T0.plusSeconds(6)))
        .contains(used(second, T0.plusSeconds(6), 1));
  }

  @Test
  void listsCacheEntriesMostRecentlyUsedFirstUpToTheLimit() {
    CacheEntry a = cacheEntry(1, T0);
    CacheEntry b = cacheEntry(2, T0.plusSeconds(1));
    CacheEntry c = cacheEntry(3, T0.plusSeconds(2));
    List.of(a, b, c).forEach(store::putCacheEntry);
    assertThat(keys(store.cacheEntries(10))).containsExactly(c.key(), b.key(), a.key());
    store.useCacheEntry(a.key(), T0.plusSeconds(10));
    assertThat(keys(store.cacheEntries(10))).containsExactly(a.key(), c.key(), b.key());
    assertThat(keys(store.cacheEntries(2))).containsExactly(a.key(), c.key());
    assertThat(keys(store.cacheEntries(1))).containsExactly(a.key());
  }

  @Test
  void removesOnlyTheNamedCacheEntriesAndLeavesTheirExecutions() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    CacheEntry a = new CacheEntry(cacheKey(1), r.id(), "python3.11", "job.py", 10, T0, T0, 0);
    CacheEntry b = cacheEntry(2, T0.plusSeconds(1));
    CacheEntry c = cacheEntry(3, T0.plusSeconds(2));
    List.of(a, b, c).forEach(store::putCacheEntry);
    assertThat(store.removeCacheEntries(List.of(a.key(), c.key(), cacheKey(4)))).isEqualTo(2);
    assertThat(store.cacheEntries(10)).containsExactly(b);
    assertThat(store.useCacheEntry(a.key(), T0.plusSeconds(3))).isEmpty();
    assertThat(store.find(r.id())).contains(r);
    assertThat(store.removeCacheEntries(List.of(a.key()))).isZero();
    assertThat(store.removeCacheEntries(List.of())).isZero();
    assertThat(store.cacheEntries(10)).containsExactly(b);
  }

  @Test
  void removesMoreCacheEntriesAtOnceThanOneStatementComfortablyTakes() {
    List<String> doomed = new ArrayList<>();
    for (int i = 1; i <= 1_201; i++) {
      CacheEntry e = cacheEntry(i, T0.plusMillis(i));
      store.putCacheEntry(e);
      if (i != 600) {
        doomed.add(e.key());
      }
    }
    assertThat(store.cacheEntries(100_000)).hasSize(1_201);
    assertThat(store.removeCacheEntries(doomed)).isEqualTo(1_200);
    assertThat(keys(store.cacheEntries(100_000))).containsExactly(cacheKey(600));
  }

  @Test
  void refusesMalformedCacheKeysWithAClearMessage() {
    String upper = cacheKey(1).replace('0', 'A');
    for (String bad : List.of("", "abc", upper, cacheKey(1) + "0", "' OR '1'='1",
        "%".repeat(64), cacheKey(1).substring(1) + "\n")) {
      assertThatThrownBy(() -> store.useCacheEntry(bad, T0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache key");
      assertThatThrownBy(() -> store.removeCacheEntries(List.of(cacheKey(1), bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cache key");
      assertThatThrownBy(() -> new CacheEntry(bad, Fixtures.id(T0), "python3.11", "job.py", 0, T0,
          T0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void refusesACacheListingLimitThatIsZeroNegativeOrHuge() {
    for (int bad : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> store.cacheEntries(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }
    assertThat(store.cacheEntries(100_000)).isEmpty();
  }

  /** A cache key made from a small number. */
  @Test
  void addsUpTheCostsOfExecutionsThatFinishedInARange() {
    long[] costs = {5, 7, 11};
    for (int i = 0; i < costs.length; i++) {
      Instant at = T0.plusSeconds(i * 3600L);
      ExecutionRecord r = Fixtures.queued(at, Map.of(), null);
      store.create(r);
      long cost = costs[i];
      store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(cost)
          .transition(ExecutionStatus.FAILED, at.plusSeconds(60)).build());
    }
    store.create(Fixtures.queued(T0, Map.of(), null)); // never finished: costs nothing yet
    assertThat(store.spentMicros(T0, T0.plusSeconds(3 * 3600))).isEqualTo(23);
    assertThat(store.spentMicros(T0.plusSeconds(3600), T0.plusSeconds(2 * 3600 + 60)))
        .as("until is exclusive").isEqualTo(7);
    assertThat(store.spentMicros(T0.plusSeconds(99_999), T0.plusSeconds(199_999))).isZero();
  }

  @Test
  void keepsAndRemovesTheSpendingLimit() {
    assertThat(store.spendingLimit()).isEmpty();
    store.setSpendingLimit(new dev.rgrid.spi.store.LimitSetting(50_000_000, List.of(50, 80, 100)));
    assertThat(store.spendingLimit()).contains(
        new dev.rgrid.spi.store.LimitSetting(50_000_000, List.of(50, 80, 100)));
    store.setSpendingLimit(new dev.rgrid.spi.store.LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit()).map(l -> l.limitMicros()).contains(0L);
    store.setSpendingLimit(null);
    assertThat(store.spendingLimit()).isEmpty();
    assertThatThrownBy(() -> new dev.rgrid.spi.store.LimitSetting(-1, List.of(50)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new dev.rgrid.spi.store.LimitSetting(1, List.of(80, 50)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void raisesEachAlertOncePerMonthAndThreshold() {
    assertThat(store.raiseLimitAlert("2026-11", 50, T0)).isTrue();
    assertThat(store.raiseLimitAlert("2026-11", 50, T0.plusSeconds(1))).isFalse();
    assertThat(store.raiseLimitAlert("2026-11", 80, T0)).isTrue();
    assertThat(store.raiseLimitAlert("2026-12", 50, T0)).isTrue();
    for (String bad : new String[] {"2026-13", "26-11", "2026-11-01", "", "x'; DROP TABLE"}) {
      assertThatThrownBy(() -> store.raiseLimitAlert(bad, 50, T0)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> store.raiseLimitAlert("2026-11", 0, T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.raiseLimitAlert("2026-11", 101, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static final String ALICE = AccountId.generate(T0, new java.util.Random(101)).value();
  private static final String BOB = AccountId.generate(T0, new java.util.Random(102)).value();

  /** Stores an execution with {@code labels} that finished at {@code at}, costing {@code cost}. */
  private void finished(Map<String, String> labels, Instant at, long cost) {
    ExecutionRecord r = Fixtures.queued(at.minusSeconds(60), labels, null);
    store.create(r);
    store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().costMicros(cost)
        .transition(ExecutionStatus.SUCCEEDED, at).build());
  }

  @Test
  void addsUpOnlyTheCostsOfAnAccountsOwnExecutionsInItsScope() {
    finished(Map.of(AccountId.LABEL, ALICE), T0, 5);
    finished(Map.of(AccountId.LABEL, ALICE, "team", "x"), T0.plusSeconds(10), 7);
    finished(Map.of(AccountId.LABEL, BOB), T0.plusSeconds(20), 100);
    finished(Map.of(), T0.plusSeconds(30), 1_000);
    // Alice's id as the value of another label does not make the execution hers.
    finished(Map.of("owner", ALICE), T0.plusSeconds(40), 10_000);
    finished(Map.of(AccountId.LABEL, ALICE), T0.plusSeconds(7200), 50_000); // after the range
    Instant until = T0.plusSeconds(3600);
    assertThat(store.spentMicros(ALICE, T0, until)).isEqualTo(12);
    assertThat(store.spentMicros(BOB, T0, until)).isEqualTo(100);
    String carol = AccountId.generate(T0, new java.util.Random(103)).value();
    assertThat(store.spentMicros(carol, T0, until)).isZero();
    assertThat(store.spentMicros(LimitSetting.GLOBAL, T0, until))
        .as("the global scope counts every execution").isEqualTo(11_112);
    assertThat(store.spentMicros(T0, until)).isEqualTo(11_112);
    assertThat(store.spentMicros(ALICE, T0, T0.plusSeconds(7201))).isEqualTo(50_012);
  }

  @Test
  void keepsTheLimitOfEachScopeApart() {
    LimitSetting global = new LimitSetting(100_000_000, List.of(50, 80, 100));
    LimitSetting alices = new LimitSetting(5_000_000, List.of(90));
    store.setSpendingLimit(global);
    store.setSpendingLimit(ALICE, alices);
    assertThat(store.spendingLimit()).contains(global);
    assertThat(store.spendingLimit(LimitSetting.GLOBAL)).contains(global);
    assertThat(store.spendingLimit(ALICE)).contains(alices);
    assertThat(store.spendingLimit(BOB)).isEmpty();

    store.setSpendingLimit(ALICE, new LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit(ALICE)).contains(new LimitSetting(0, List.of(100)));
    assertThat(store.spendingLimit()).as("the global limit is untouched").contains(global);
    store.setSpendingLimit(LimitSetting.GLOBAL, null);
    assertThat(store.spendingLimit()).isEmpty();
    assertThat(store.spendingLimit(ALICE)).as("removing one scope's limit keeps the others")
        .contains(new LimitSetting(0, List.of(100)));
    store.setSpendingLimit(ALICE, null);
    assertThat(store.spendingLimit(ALICE)).isEmpty();
    store.setSpendingLimit(BOB, null); // removing what is not there is no error
  }

  @Test
  void raisesEachAlertOncePerScopeMonthAndThreshold() {
    assertThat(store.raiseLimitAlert(ALICE, "2026-11", 50, T0)).isTrue();
    assertThat(store.raiseLimitAlert(ALICE, "2026-11", 50, T0.plusSeconds(1))).isFalse();
    assertThat(store.raiseLimitAlert(BOB, "2026-11", 50, T0)).as("bob's own alert").isTrue();
    assertThat(store.raiseLimitAlert("2026-11", 50, T0)).as("the global alert").isTrue();
    assertThat(store.raiseLimitAlert(LimitSetting.GLOBAL, "2026-11", 50, T0))
        .as("the global scope is the one the scope-less method uses").isFalse();
    assertThat(store.raiseLimitAlert(ALICE, "2026-12", 50, T0)).isTrue();
    assertThatThrownBy(() -> store.raiseLimitAlert(ALICE, "2026-13", 50, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesAScopeThatIsNeitherGlobalNorAnAccount() {
    List<String> bad = new ArrayList<>(List.of("x'; DROP TABLE executions; --", "acct_",
        " " + ALICE, ALICE + " ", ALICE.toLowerCase(java.util.Locale.ROOT), "*", "%"));
    bad.add(null);
    LimitSetting limit = new LimitSetting(1, List.of(100));
    for (String scope : bad) {
      assertThatThrownBy(() -> store.spentMicros(scope, T0, T0.plusSeconds(1))).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.spendingLimit(scope)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.setSpendingLimit(scope, limit)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.raiseLimitAlert(scope, "2026-11", 50, T0)).as(scope)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(store.spendingLimit()).isEmpty();
  }

  private static String cacheKey(int n) {
    return key(n).sha256();
  }

  /** An unused entry recorded at {@code at}. */
  private static CacheEntry cacheEntry(int n, Instant at) {
    return new CacheEntry(cacheKey(n), Fixtures.id(at), "python3.11", "job" + n + ".py",
        1_000L * n, at, at, 0);
  }

  private static CacheEntry used(CacheEntry e, Instant at, long hits) {
    return new CacheEntry(e.key(), e.executionId(), e.runtime(), e.scriptName(), e.sizeBytes(),
        e.createdAt(), at, hits);
  }

  private static List<String> keys(List<CacheEntry> entries) {
    return entries.stream().map(CacheEntry::key).toList();
  }

  private List<ExecutionId> ids(ExecutionQuery q) {
    return store.list(q).items().stream().map(ExecutionRecord::id).toList();
  }

  @Test
  void storesABatchAndRefusesItsIdTwice() {
    BatchId id = BatchId.generate(T0, new java.util.Random(7));
    BatchRecord batch = new BatchRecord(id, T0, "job.py", "python3.11", 3, 2,
        Map.of("team", "ü x"));
    store.createBatch(batch);
    assertThat(store.findBatch(id)).contains(batch);
    assertThat(store.findBatch(BatchId.generate(T0, new java.util.Random(8)))).isEmpty();
    assertThatThrownBy(() -> store.createBatch(batch)).isInstanceOf(ConflictException.class);
  }

  @Test
  void summarisesTheLatestExecutionOfEachInputOfABatch() {
    BatchId id = BatchId.generate(T0, new java.util.Random(9));
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
    BatchId id = BatchId.generate(T0, new java.util.Random(10));
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
