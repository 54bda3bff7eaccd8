package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.backend.postgres.internal.PgExecutionQueue;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL queue adds to the contract: mixed concurrent claims, errors, holds. */
class PgQueueBehaviourTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final WorkerId A = new WorkerId("worker-a");
  private static final WorkerId B = new WorkerId("worker-b");
  private final Random random = new Random(7);

  private ExecutionId id(Instant at) {
    return ExecutionId.generate(at, random);
  }

  @Test
  void keepsGroupLimitsWhileWorkersClaimAndCompleteMixedWorkConcurrently() throws Exception {
    int limit = 3;
    try (PostgresBackend pg = PgTests.freshBackend()) {
      ExecutionQueue queue = pg.queue();
      Set<ExecutionId> grouped = new HashSet<>();
      Set<ExecutionId> all = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        ExecutionId id = id(T0.plusMillis(i));
        boolean inGroup = i % 3 != 0;
        queue.enqueue(new QueueEntry(id, null, T0, 1, inGroup ? "batch-" + (i % 2) : null,
            inGroup ? limit : 0), T0, LEASE);
        all.add(id);
        if (inGroup) {
          grouped.add(id);
        }
      }
      // Counted down before completing, so the count never runs ahead of the database.
      AtomicInteger[] held = {new AtomicInteger(), new AtomicInteger()};
      AtomicInteger mostHeld = new AtomicInteger();
      ConcurrentLinkedQueue<ExecutionId> claimed = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          WorkerId worker = new WorkerId("w" + w);
          futures.add(pool.submit(() -> {
            start.await();
            Instant now = T0.plusSeconds(1);
            List<Claim> got;
            while (!(got = queue.claim(worker, 4, now, LEASE)).isEmpty()) {
              List<AtomicInteger> counters = new ArrayList<>();
              for (Claim c : got) {
                claimed.add(c.executionId());
                if (grouped.contains(c.executionId())) {
                  AtomicInteger n = held[groupOf(c)];
                  counters.add(n);
                  mostHeld.accumulateAndGet(n.incrementAndGet(), Math::max);
                }
              }
              counters.forEach(AtomicInteger::decrementAndGet);
              for (Claim c : got) {
                assertThat(queue.complete(c.executionId(), worker)).isTrue();
              }
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(claimed).hasSize(all.size());
      assertThat(new HashSet<>(claimed)).isEqualTo(all);
      assertThat(mostHeld.get()).isBetween(1, limit);
      assertThat(queue.depth()).isZero();
    }
  }

  @Test
  void countsAGroupsPlacesAcrossWorkersThatSeeDifferentEntries() throws Exception {
    // Each worker sees only the entries reserved for it, so without serialised claims both would
    // find every group empty and take one entry of each: two held where the limit is one.
    for (int round = 0; round < 5; round++) {
      try (PostgresBackend pg = PgTests.freshBackend()) {
        ExecutionQueue queue = pg.queue();
        int groups = 50;
        for (int g = 0; g < groups; g++) {
          for (WorkerId worker : List.of(A, B)) {
            ExecutionId id = id(T0.plusMillis(g));
            queue.enqueue(new QueueEntry(id, worker, T0, 1, "batch-" + g, 1), T0, LEASE);
          }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
          CountDownLatch start = new CountDownLatch(1);
          List<Future<List<Claim>>> claims = new ArrayList<>();
          for (WorkerId worker : List.of(A, B)) {
            claims.add(pool.submit(() -> {
              start.await();
              return queue.claim(worker, 2 * groups, T0.plusSeconds(1), LEASE);
            }));
          }
          start.countDown();
          int total = 0;
          for (Future<List<Claim>> f : claims) {
            total += f.get(60, TimeUnit.SECONDS).size();
          }
          assertThat(total).as("entries held in %d groups of limit 1", groups).isEqualTo(groups);
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  /** Which of the two batches an entry is in (enqueued alternately, so by creation order). */
  private static int groupOf(Claim c) {
    return Math.floorMod(c.executionId().createdAt().toEpochMilli(), 2);
  }

  @Test
  void releasingAffineWorkKeepsItForTheWorkerAtLeastAsLongAsItsLease() {
    try (PostgresBackend pg = PgTests.freshBackend()) {
      ExecutionQueue queue = pg.queue();
      ExecutionId id = id(T0);
      queue.enqueue(new QueueEntry(id, A, T0, 1), T0, LEASE); // held for A until T0 + 30 s
      assertThat(queue.claim(A, 1, T0, LEASE)).hasSize(1);
      assertThat(queue.renew(A, T0.plusSeconds(20), LEASE)).containsExactly(id); // lease to 50 s
      assertThat(queue.release(id, A, T0.plusSeconds(25))).isTrue();
      assertThat(queue.claim(B, 1, T0.plusSeconds(49), LEASE)).isEmpty();
      assertThat(queue.claim(B, 1, T0.plusSeconds(50), LEASE)).extracting(Claim::executionId)
          .containsExactly(id);
    }
  }

  @Test
  void renewReturnsTheHeldIdsInOrder() {
    try (PostgresBackend pg = PgTests.freshBackend()) {
      ExecutionQueue queue = pg.queue();
      List<ExecutionId> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ExecutionId id = id(T0.plusMillis(i));
        ids.add(id);
        queue.enqueue(new QueueEntry(id, null, T0, 1), T0, LEASE);
      }
      assertThat(queue.claim(A, 20, T0, LEASE)).hasSize(20);
      assertThat(queue.renew(A, T0.plusSeconds(1), LEASE)).isSorted().containsExactlyInAnyOrder(
          ids.toArray(ExecutionId[]::new));
    }
  }

  @Test
  void reportsAnUnreachableDatabaseAsUnavailable() {
    String url = "jdbc:postgresql://127.0.0.1:1/rgrid?connectTimeout=2";
    PgExecutionQueue queue = new PgExecutionQueue(Jdbi.create(url, "rgrid", "secret"),
        PostgresSettings.of(url, "rgrid", "secret"));
    assertThatThrownBy(queue::depth)
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.backend()).isEqualTo("postgres");
          assertThat(e.getMessage()).contains("127.0.0.1:1").contains("counting queued");
          assertThat(e.getCause()).isNotNull();
        });
  }
}
