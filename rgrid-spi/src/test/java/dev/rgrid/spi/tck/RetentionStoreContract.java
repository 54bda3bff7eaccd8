package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.cacheKey;
import static dev.rgrid.spi.tck.Fixtures.key;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.EndedExecution;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.Removal;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import dev.rgrid.spi.account.AccountId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link RetentionStore} passes: only ended executions older than the cutoff
 * are listed and removed, with what hangs off them; queued and running work is never touched; a
 * dry run changes nothing; blob references cover specs, outputs and artifacts. Extend it and
 * return a fresh, empty store (see {@link MetadataStoreFixture}).
 */
public abstract class RetentionStoreContract extends MetadataStoreFixture {
  private static final Instant CUTOFF = T0.plusSeconds(3600);

  /** A stored execution created at {@code at}, ended with {@code status} at {@code end}. */
  private ExecutionRecord ended(Instant at, ExecutionStatus status, Instant end, String batch) {
    ExecutionRecord r = queued(at, Map.of("team", "x"), batch);
    store.create(r);
    if (status == ExecutionStatus.QUEUED) {
      return r;
    }
    return store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> {
      var b = x.toBuilder();
      if (status != ExecutionStatus.CANCELLED) {
        b.transition(ExecutionStatus.RUNNING, at.plusMillis(1));
      }
      if (status.isTerminal()) {
        b.transition(status, end).stdout(key(10)).stderr(key(11));
      }
      return b.build();
    });
  }

  private void decorate(ExecutionRecord r, int n) {
    store.appendLogs(r.id(), List.of(new LogLine(1, LogStream.STDOUT, T0, "a"),
        new LogLine(2, LogStream.STDERR, T0, "b")));
    store.putArtifacts(r.id(), List.of(new Artifact("out/" + n + ".txt", 3, key(100 + n))));
    store.putCacheEntry(new CacheEntry(cacheKey(200 + n), r.id(), "python3.11", "job.py", 3, T0,
        T0, 0));
  }

  @Test
  void removesOnlyEndedExecutionsOlderThanTheCutoffWithWhatHangsOffThem() {
    ExecutionRecord old = ended(T0, ExecutionStatus.SUCCEEDED, T0.plusSeconds(5), null);
    ExecutionRecord failed = ended(T0, ExecutionStatus.FAILED, T0.plusSeconds(6), null);
    ExecutionRecord young = ended(T0, ExecutionStatus.SUCCEEDED, CUTOFF.plusSeconds(1), null);
    ExecutionRecord waiting = ended(T0, ExecutionStatus.QUEUED, null, null);
    ExecutionRecord running = ended(T0, ExecutionStatus.RUNNING, null, null);
    decorate(old, 1);
    decorate(young, 2);
    decorate(running, 3);

    List<EndedExecution> page = store.endedBefore(CUTOFF, null, 10);
    assertThat(page).extracting(EndedExecution::id).containsExactly(old.id(), failed.id());
    assertThat(page.get(0).finishedAt()).isEqualTo(T0.plusSeconds(5));

    Removal removal = store.removeEnded(List.of(old.id(), failed.id(), young.id(),
        waiting.id(), running.id()), CUTOFF, false);
    assertThat(removal.executions()).isEqualTo(2);
    assertThat(removal.logLines()).isEqualTo(2);
    assertThat(removal.artifacts()).isEqualTo(1);
    assertThat(removal.cacheEntries()).isEqualTo(1);
    assertThat(store.find(old.id())).isEmpty();
    assertThat(store.find(failed.id())).isEmpty();
    assertThat(store.logs(old.id(), 0, 10)).isEmpty();
    assertThat(store.artifacts(old.id())).isEmpty();
    assertThat(store.useCacheEntry(cacheKey(201), T0)).isEmpty();
    for (ExecutionRecord kept : List.of(young, waiting, running)) {
      assertThat(store.find(kept.id())).isPresent();
    }
    assertThat(store.logs(running.id(), 0, 10)).hasSize(2);
    assertThat(store.artifacts(young.id())).hasSize(1);
    assertThat(store.useCacheEntry(cacheKey(202), T0)).isPresent();
    assertThat(store.endedBefore(CUTOFF, null, 10)).isEmpty();
  }

  @Test
  void aDryRunCountsTheSameAndChangesNothing() {
    ExecutionRecord old = ended(T0, ExecutionStatus.TIMED_OUT, T0.plusSeconds(5), null);
    decorate(old, 1);
    Removal counted = store.removeEnded(List.of(old.id()), CUTOFF, true);
    assertThat(store.find(old.id())).isPresent();
    assertThat(store.logs(old.id(), 0, 10)).hasSize(2);
    assertThat(store.artifacts(old.id())).hasSize(1);
    Removal removed = store.removeEnded(List.of(old.id()), CUTOFF, false);
    assertThat(counted).isEqualTo(removed)
        .isEqualTo(new Removal(1, 2, 1, 1, List.of()));
  }

  @Test
  void removesABatchOnlyOnceNoneOfItsExecutionsIsLeft() {
    BatchId id = BatchId.generate(T0, new Random(3));
    store.createBatch(new BatchRecord(id, T0, "job.py", "python3.11", 2, 2, Map.of()));
    ExecutionRecord first = ended(T0, ExecutionStatus.SUCCEEDED, T0.plusSeconds(1), id.value());
    ExecutionRecord second = ended(T0, ExecutionStatus.CANCELLED, T0.plusSeconds(2),
        id.value());

    assertThat(store.removeEnded(List.of(first.id()), CUTOFF, true).batches())
        .containsExactly(id);
    assertThat(store.removeEnded(List.of(first.id()), CUTOFF, false).batches()).isEmpty();
    assertThat(store.findBatch(id)).isPresent();
    assertThat(store.removeEnded(List.of(second.id()), CUTOFF, false).batches())
        .containsExactly(id);
    assertThat(store.findBatch(id)).isEmpty();
  }

  @Test
  void keepsABatchWhoseExecutionStillRuns() {
    BatchId id = BatchId.generate(T0, new Random(4));
    store.createBatch(new BatchRecord(id, T0, "job.py", "python3.11", 2, 2, Map.of()));
    ExecutionRecord done = ended(T0, ExecutionStatus.SUCCEEDED, T0.plusSeconds(1), id.value());
    ended(T0, ExecutionStatus.RUNNING, null, id.value());
    assertThat(store.removeEnded(List.of(done.id()), CUTOFF, true).batches()).isEmpty();
    assertThat(store.removeEnded(List.of(done.id()), CUTOFF, false).batches()).isEmpty();
    assertThat(store.findBatch(id)).isPresent();
  }

  @Test
  void keepsAnExecutionWhoseResultAKeptCacheHitReuses() {
    ExecutionRecord source = ended(T0, ExecutionStatus.SUCCEEDED, T0.plusSeconds(1), null);
    ExecutionRecord hit = queued(T0.plusSeconds(2), Map.of(), null);
    store.create(hit);
    store.update(hit.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .cachedFrom(source.id()).transition(ExecutionStatus.SUCCEEDED, CUTOFF.plusSeconds(5))
        .build());
    assertThat(store.removeEnded(List.of(source.id()), CUTOFF, false).executions()).isZero();
    assertThat(store.find(source.id())).isPresent();
    // Once the hit is as old, both go.
    Instant later = CUTOFF.plusSeconds(60);
    assertThat(store.removeEnded(List.of(source.id(), hit.id()), later, false).executions())
        .isEqualTo(2);
  }

  @Test
  void pagesEndedExecutionsByFinishTimeThenId() {
    List<ExecutionId> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // Pairs share a finish time, so the id decides within a pair.
      expected.add(ended(T0.plusMillis(i), ExecutionStatus.SUCCEEDED,
          T0.plusSeconds(10 + i / 2), null).id());
    }
    List<ExecutionId> seen = new ArrayList<>();
    EndedExecution after = null;
    for (List<EndedExecution> page; !(page = store.endedBefore(CUTOFF, after, 2)).isEmpty(); ) {
      assertThat(page.size()).isLessThanOrEqualTo(2);
      page.forEach(e -> seen.add(e.id()));
      after = page.get(page.size() - 1);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void listsTheBlobsOfEveryExecutionAPageAtATimeAndSkipsWhatADryRunWouldRemove() {
    ExecutionRecord old = ended(T0, ExecutionStatus.SUCCEEDED, T0.plusSeconds(5), null);
    ExecutionRecord waiting = ended(T0.plusMillis(1), ExecutionStatus.QUEUED, null, null);
    decorate(old, 1);
    Set<BlobKey> all = new HashSet<>();
    ExecutionId after = null;
    int pages = 0;
    do {
      BlobReferences page = store.blobReferences(after, null, 1);
      all.addAll(page.keys());
      after = page.last();
      pages++;
    } while (after != null);
    assertThat(pages).isBetween(2, 3);
    // key(1): script, key(2): input (Fixtures.spec), 10/11: stdout/stderr, 101: artifact.
    assertThat(all).containsExactlyInAnyOrder(key(1), key(2), key(10), key(11), key(101));

    BlobReferences kept = store.blobReferences(null, CUTOFF, 10);
    assertThat(kept.last()).isNull();
    assertThat(new HashSet<>(kept.keys())).containsExactlyInAnyOrder(key(1), key(2));
    assertThat(store.find(waiting.id())).isPresent();
  }

  @Test
  void letsOneHolderAtATimeCollect() throws Exception {
    AutoCloseable first = store.tryLockCollection().orElseThrow();
    assertThat(store.tryLockCollection()).isEmpty();
    first.close();
    AutoCloseable again = store.tryLockCollection().orElseThrow();
    again.close();
  }

  @Test
  void refusesPagesOutOfRange() {
    assertThatThrownBy(() -> store.endedBefore(CUTOFF, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.blobReferences(null, null, RetentionStore.MAX_PAGE + 1))
        .isInstanceOf(IllegalArgumentException.class);
    List<ExecutionId> many = new ArrayList<>();
    for (int i = 0; i <= RetentionStore.MAX_PAGE; i++) {
      many.add(Fixtures.id(T0));
    }
    assertThatThrownBy(() -> store.removeEnded(many, CUTOFF, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.removeEnded(List.of(), CUTOFF, false)).isEqualTo(Removal.NONE);
    // A cutoff beyond the storable range is a bound, not an error.
    assertThat(store.endedBefore(Instant.MAX, null, 5)).isEmpty();
  }

  @Test
  void listsTheEndedExecutionsOfOneAccountOrOfAllButSome() {
    AccountId a = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    AccountId b = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XD");
    ExecutionRecord ofA = labelledEnd(Map.of(AccountId.LABEL, a.value()), 1);
    ExecutionRecord ofB = labelledEnd(Map.of(AccountId.LABEL, b.value(), "team", "x"), 2);
    ExecutionRecord local = labelledEnd(Map.of("team", "x"), 3);
    assertThat(store.endedBefore(CUTOFF, null, 10, RetentionScope.of(a)))
        .extracting(EndedExecution::id).containsExactly(ofA.id());
    assertThat(store.endedBefore(CUTOFF, null, 10, RetentionScope.allBut(Set.of(a))))
        .extracting(EndedExecution::id).containsExactly(ofB.id(), local.id());
    assertThat(store.endedBefore(CUTOFF, null, 10, RetentionScope.allBut(Set.of(a, b))))
        .extracting(EndedExecution::id).containsExactly(local.id());
    assertThat(store.endedBefore(CUTOFF, null, 10, RetentionScope.ALL))
        .extracting(EndedExecution::id).containsExactly(ofA.id(), ofB.id(), local.id());
    EndedExecution first = store.endedBefore(CUTOFF, null, 1, RetentionScope.allBut(
        Set.of(a))).get(0);
    assertThat(store.endedBefore(CUTOFF, first, 10, RetentionScope.allBut(Set.of(a))))
        .extracting(EndedExecution::id).containsExactly(local.id());
  }

  @Test
  void keepsEachAccountsOwnRetentionInDays() {
    AccountId a = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    AccountId b = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XD");
    assertThat(store.retentionDays()).isEmpty();
    store.setRetentionDays(a, 7);
    store.setRetentionDays(b, 400);
    store.setRetentionDays(a, 3);
    assertThat(store.retentionDays()).containsExactly(Map.entry(a, 3), Map.entry(b, 400));
    store.setRetentionDays(b, null);
    store.setRetentionDays(b, null);
    assertThat(store.retentionDays()).containsExactly(Map.entry(a, 3));
    assertThatThrownBy(() -> store.setRetentionDays(a, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.setRetentionDays(a, RetentionStore.MAX_DAYS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.retentionDays()).containsEntry(a, 3);
  }

  private ExecutionRecord labelledEnd(Map<String, String> labels, int second) {
    ExecutionRecord r = queued(T0, labels, null);
    store.create(r);
    return store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .transition(ExecutionStatus.RUNNING, T0.plusMillis(1))
        .transition(ExecutionStatus.SUCCEEDED, T0.plusSeconds(second)).build());
  }
}
