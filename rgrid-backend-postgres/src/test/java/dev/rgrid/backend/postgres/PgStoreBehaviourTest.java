package dev.rgrid.backend.postgres;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL metadata store does beyond the contract: errors, locking, indexes. */
class PgStoreBehaviourTest {
  private PostgresBackend backend;
  private MetadataStore store;

  @BeforeEach
  void open() {
    backend = PgTests.freshBackend();
    store = backend.metadataStore();
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void saysNotFoundWhenLogsOrArtifactsGoToAnUnknownExecution() {
    ExecutionId unknown = Fixtures.id(T0);
    assertThatThrownBy(() -> store.appendLogs(unknown,
        List.of(new LogLine(1, LogStream.STDOUT, T0, "x"))))
        .isInstanceOf(NotFoundException.class).hasMessageContaining(unknown.value());
    assertThatThrownBy(() -> store.putArtifacts(unknown, List.of()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining(unknown.value());
  }

  @Test
  void refusesTwoArtifactsWithOnePathAndRecordsNeither() {
    ExecutionRecord r = created();
    assertThatThrownBy(() -> store.putArtifacts(r.id(), List.of(new Artifact("a", 1, key(1)),
        new Artifact("a", 2, key(2))))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("share a path");
    assertThat(store.artifacts(r.id())).isEmpty();
  }

  @Test
  void letsExactlyOneOfManyConcurrentArtifactRecordingsWin() throws Exception {
    ExecutionRecord r = created();
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String path = "out-" + i + ".txt";
      results.add(pool.submit(() -> {
        start.await();
        try {
          store.putArtifacts(r.id(), List.of(new Artifact(path, 1, key(3))));
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
    assertThat(store.artifacts(r.id())).hasSize(1);
  }

  @Test
  void keepsALogLineWithANulCharacterInsteadOfFailingTheWholeBatch() {
    ExecutionRecord r = created();
    store.appendLogs(r.id(), List.of(new LogLine(1, LogStream.STDOUT, T0, "a\0b"),
        new LogLine(2, LogStream.STDOUT, T0, "c")));
    assertThat(store.logs(r.id(), 0, 10)).extracting(LogLine::text)
        .containsExactly("a\uFFFDb", "c");
  }

  @Test
  void reportsARowItCannotDecodeAsUnavailableNamingTheExecution() {
    ExecutionRecord r = created();
    // JSON that is no spec: the column must stay JSON (the listing's index reads it as jsonb).
    backend.jdbi().useHandle(h -> h.createUpdate("UPDATE executions SET spec = '\"not a spec\"'"
        + " WHERE id = :id").bind("id", r.id().value()).execute());
    assertThatThrownBy(() -> store.find(r.id()))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(r.id().value());
  }

  @Test
  void reportsAClosedPoolAsUnavailableNamingWhatItWasDoing() {
    ExecutionRecord r = created();
    backend.close();
    assertThatThrownBy(() -> store.find(r.id()))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.backend()).isEqualTo("postgres");
          assertThat(e.getMessage()).contains("reading execution " + r.id());
          assertThat(e.hint()).isPresent();
          assertThat(e.getCause()).isNotNull();
        });
  }

  @Test
  void filtersLabelsThroughTheirIndex() {
    store.create(Fixtures.queued(T0, Map.of("team", "data"), null));
    String plan = backend.jdbi().inTransaction(h -> {
      // A tiny table is scanned whatever the index; forbid that to see whether the index fits.
      h.execute("SET LOCAL enable_seqscan = off");
      return String.join("\n", h.createQuery("EXPLAIN SELECT id FROM executions"
          + " WHERE labels @> CAST(:labels AS jsonb)").bind("labels", "{\"team\":\"data\"}")
          .mapTo(String.class).list());
    });
    assertThat(plan).contains("executions_labels");
  }

  private ExecutionRecord created() {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    store.create(r);
    return r;
  }
}
