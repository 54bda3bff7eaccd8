package dev.rgrid.backend.postgres;

import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.GcRequest;
import dev.rgrid.core.GcSettings;
import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.gc.GarbageCollector;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each account's own retention, honoured by garbage collection on a real PostgreSQL. */
class PgAccountRetentionTest {
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
  private static final AccountId LONG = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
  private static final AccountId SHORT = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XD");

  @TempDir Path dir;

  @Test
  void removesEachAccountsEndedExecutionsByItsOwnDaysAndTheRestByTheGlobalOnes() {
    try (PostgresBackend backend = PgTests.freshBackend()) {
      MetadataStore store = backend.metadataStore();
      ExecutionId longOld = ended(store, LONG, 10);
      ExecutionId shortOld = ended(store, SHORT, 10);
      ExecutionId shortMid = ended(store, SHORT, 5);
      ExecutionId shortNew = ended(store, SHORT, 1);
      ExecutionId localOld = ended(store, null, 10);
      ExecutionId localMid = ended(store, null, 5);
      store.setRetentionDays(LONG, 30);
      store.setRetentionDays(SHORT, 3);
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      GarbageCollector gc = new GarbageCollector(store, new FileBlobStore(dir.resolve("blobs"),
          clock), clock, new GcSettings(Duration.ofDays(7), Duration.ofHours(1), null));

      assertThat(gc.collect(new GcRequest(null, null, true)).executions()).isEqualTo(3);
      assertThat(gc.collect(new GcRequest(null, null, false)).executions()).isEqualTo(3);
      for (ExecutionId gone : new ExecutionId[] {shortOld, shortMid, localOld}) {
        assertThat(store.find(gone)).as(gone.value()).isEmpty();
      }
      for (ExecutionId kept : new ExecutionId[] {longOld, shortNew, localMid}) {
        assertThat(store.find(kept)).as(kept.value()).isPresent();
      }
      store.setRetentionDays(LONG, null);
      assertThat(gc.collect(new GcRequest(null, null, false)).executions()).isEqualTo(1);
      assertThat(gc.collect(new GcRequest(Duration.ofHours(1), null, false)).executions())
          .isEqualTo(2);
    }
  }

  private static ExecutionId ended(MetadataStore store, AccountId account, int daysAgo) {
    Instant end = NOW.minus(Duration.ofDays(daysAgo));
    ExecutionRecord r = queued(end.minusSeconds(60), account == null ? Map.of("team", "x")
        : Map.of(AccountId.LABEL, account.value()), null);
    store.create(r);
    return store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .transition(ExecutionStatus.RUNNING, end.minusSeconds(30))
        .transition(ExecutionStatus.FAILED, end).build()).id();
  }
}
