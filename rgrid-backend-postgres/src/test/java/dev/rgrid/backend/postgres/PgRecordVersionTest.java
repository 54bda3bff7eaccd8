package dev.rgrid.backend.postgres;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.Fixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store remembers the row version of each record it last read or wrote and writes against it
 * without a read. These tests make that copy stale on purpose, through a second store (another
 * process) and behind RGrid's back, and check that no change is ever applied to an old copy.
 */
class PgRecordVersionTest {
  private PostgresSettings db;
  private PostgresBackend one;
  private PostgresBackend two;
  private MetadataStore a;
  private MetadataStore b;

  @BeforeEach
  void open() {
    db = PgTests.freshDatabase();
    one = PostgresBackend.open(db);
    two = PostgresBackend.open(db);
    a = one.metadataStore();
    b = two.metadataStore();
  }

  @AfterEach
  void close() {
    one.close();
    two.close();
  }

  @Test
  void appliesAChangeToWhatAnotherProcessWroteNotToTheCopyItRemembers() {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    a.create(r);
    a.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .workerId(new WorkerId("w1")).transition(ExecutionStatus.RUNNING, T0.plusSeconds(1))
        .build()); // `a` now remembers this version
    b.update(r.id(), Set.of(ExecutionStatus.RUNNING),
        x -> x.toBuilder().cancelRequested(true).build());

    ExecutionRecord done = a.update(r.id(), Set.of(ExecutionStatus.RUNNING), x -> x.toBuilder()
        .exitCode(0).transition(ExecutionStatus.SUCCEEDED, T0.plusSeconds(2)).build());

    assertThat(done.cancelRequested()).as("b's change survives a's write").isTrue();
    assertThat(b.get(r.id()).cancelRequested()).isTrue();
    assertThat(b.get(r.id()).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void refusesByTheRowNotByTheRememberedCopy() {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    a.create(r);
    a.get(r.id()); // remembered as QUEUED
    b.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
        .transition(ExecutionStatus.CANCELLED, T0.plusSeconds(1)).build());

    assertThatThrownBy(() -> a.update(r.id(), Set.of(ExecutionStatus.QUEUED),
        x -> x.toBuilder().transition(ExecutionStatus.RUNNING, T0.plusSeconds(2)).build()))
        .isInstanceOf(ConflictException.class).hasMessageContaining("CANCELLED");
    assertThat(a.get(r.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
  }

  @Test
  void aChangeRefusedOnlyByAStaleCopyIsTriedAgainOnTheRow() {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    a.create(r);
    a.get(r.id()); // remembered with attempt 1
    b.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder().attempt(2).build());

    // Refuses attempt 1 (as a fence would): the copy says 1, the row says 2.
    ExecutionRecord next = a.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> {
      if (x.attempt() < 2) {
        throw new ConflictException("attempt " + x.attempt());
      }
      return x.toBuilder().cancelRequested(true).build();
    });
    assertThat(next.attempt()).isEqualTo(2);
    assertThat(b.get(r.id()).cancelRequested()).isTrue();
  }

  @Test
  void seesAWriteMadeOutsideRgrid() throws Exception {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    a.create(r);
    a.get(r.id());
    try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(),
        db.password()); PreparedStatement s = c.prepareStatement(
            "UPDATE executions SET cancel_requested = true WHERE id = ?")) {
      s.setString(1, r.id().value());
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    ExecutionRecord next = a.update(r.id(), Set.of(ExecutionStatus.QUEUED),
        x -> x.toBuilder().attempt(3).build());
    assertThat(next.cancelRequested()).isTrue();
    assertThat(next.attempt()).isEqualTo(3);
  }

  @Test
  void manyProcessesIncrementingOneRecordLoseNoIncrement() throws Exception {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    a.create(r);
    int threads = 8;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger applied = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        MetadataStore store = t % 2 == 0 ? a : b;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> {
              applied.incrementAndGet();
              return x.toBuilder().costMicros(x.costMicros() + 1).build();
            });
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(a.get(r.id()).costMicros()).isEqualTo((long) threads * each);
    assertThat(applied.get()).as("changes applied, some to copies that lost the race")
        .isGreaterThanOrEqualTo(threads * each);
  }
}
