package dev.rgrid.bench;

import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL queue with a no-op runtime: claims + completions per second for 1, 2 and 4
 * workers (each a thread with its own connection pool, claiming 16 at a time and completing each
 * at once), and the latency from an enqueue to an idle worker's claim, woken by NOTIFY.
 * Usage: {@code QueueBench [ENTRIES] [LATENCY_SAMPLES]}.
 */
public final class QueueBench {
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Random RANDOM = new Random(7);

  private QueueBench() {}

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      System.out.println("| workers | entries | claims + completions / s |");
      System.out.println("|---|---|---|");
      for (int workers : new int[] {1, 2, 4}) {
        PostgresSettings db = database(pg, "throughput_" + workers);
        double rate = throughput(db, workers, entries);
        System.out.printf("| %d | %d | %.0f |%n", workers, entries, rate);
      }
      long[] micros = latency(database(pg, "latency"), samples);
      System.out.printf("%nidle enqueue -> claim, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          samples, micros[micros.length / 2] / 1000.0,
          micros[(int) Math.ceil(micros.length * 0.99) - 1] / 1000.0,
          micros[micros.length - 1] / 1000.0);
    }
  }

  private static PostgresSettings database(EmbeddedPostgres pg, String name) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return PostgresSettings.of(pg.getJdbcUrl("postgres", name), "postgres", "postgres");
  }

  private static double throughput(PostgresSettings db, int workers, int entries)
      throws Exception {
    try (PostgresBackend setup = PostgresBackend.open(db)) {
      ExecutionQueue q = setup.queue();
      Instant now = Instant.now();
      for (int i = 0; i < entries; i++) {
        q.enqueue(new QueueEntry(ExecutionId.generate(now, RANDOM), null, now, 1), now, LEASE);
      }
    }
    List<PostgresBackend> backends = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      backends.add(PostgresBackend.open(db.withPoolSize(2)));
    }
    AtomicInteger done = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      ExecutionQueue q = backends.get(w).queue();
      WorkerId id = new WorkerId("bench-" + w);
      Thread t = new Thread(() -> {
        try {
          start.await();
          while (true) {
            List<Claim> claims = q.claim(id, 16, Instant.now(), LEASE);
            if (claims.isEmpty()) {
              return;
            }
            for (Claim c : claims) {
              q.complete(c.executionId(), id);
              done.incrementAndGet();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      threads.add(t);
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    backends.forEach(PostgresBackend::close);
    if (done.get() != entries) {
      throw new IllegalStateException("completed " + done.get() + " of " + entries);
    }
    return entries / seconds;
  }

  private static long[] latency(PostgresSettings db, int samples) throws Exception {
    try (PostgresBackend worker = PostgresBackend.open(db);
        PostgresBackend client = PostgresBackend.open(db)) {
      ExecutionQueue wq = worker.queue();
      WorkerId id = new WorkerId("bench-idle");
      Semaphore wake = new Semaphore(0);
      long[] enqueuedAt = new long[1];
      long[] out = new long[samples];
      try (AutoCloseable sub = wq.subscribe(wake::release)) {
        wake.tryAcquire(10, TimeUnit.SECONDS); // the call that follows LISTEN
        wake.drainPermits();
        for (int i = 0; i < samples; i++) {
          Instant now = Instant.now();
          enqueuedAt[0] = System.nanoTime();
          client.queue().enqueue(new QueueEntry(ExecutionId.generate(now, RANDOM), null, now, 1),
              now, LEASE);
          List<Claim> claims = List.of();
          while (claims.isEmpty()) {
            if (!wake.tryAcquire(10, TimeUnit.SECONDS)) {
              throw new IllegalStateException("no notification within 10 s");
            }
            claims = wq.claim(id, 1, Instant.now(), LEASE);
          }
          out[i] = (System.nanoTime() - enqueuedAt[0]) / 1000;
          wq.complete(claims.get(0).executionId(), id);
          wake.drainPermits();
        }
      }
      Arrays.sort(out);
      return out;
    }
  }
}
