package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LISTEN/NOTIFY: idle workers hear of new work from other processes at once. */
class PgNotifyTest {
  @TempDir Path home;
  @TempDir Path other;
  @TempDir Path src;

  @Test
  void aSubscriberHearsOfWorkEnqueuedThroughAnotherConnectionPool() throws Exception {
    PostgresSettings db = PgTests.freshDatabase();
    try (PostgresBackend listener = PostgresBackend.open(db);
        PostgresBackend writer = PostgresBackend.open(db)) {
      CountDownLatch heard = new CountDownLatch(1);
      AutoCloseable subscription = listener.queue().subscribe(heard::countDown);
      // The first call comes when listening starts; wait for it, then expect the enqueue's.
      assertThat(heard.await(30, TimeUnit.SECONDS)).isTrue();
      subscription.close();
      CountDownLatch enqueued = new CountDownLatch(1);
      AutoCloseable second = listener.queue().subscribe(enqueued::countDown);
      Instant now = Instant.now();
      writer.queue().enqueue(new QueueEntry(ExecutionId.generate(now, new SecureRandom()),
          null, now, 1), now, Duration.ofSeconds(30));
      assertThat(enqueued.await(30, TimeUnit.SECONDS)).isTrue();
      second.close();
    }
  }

  @Test
  void anIdleWorkerStartsWorkSubmittedElsewhereWithoutWaitingForItsPoll() throws Exception {
    PostgresSettings db = PgTests.freshDatabase();
    Path script = Files.writeString(src.resolve("hi.py"), "print('hi')\n");
    // The worker polls once an hour: only a notification can wake it within the test's deadline.
    try (PostgresBackend a = PostgresBackend.open(db); PostgresBackend b = PostgresBackend.open(db);
        LocalRGrid worker = RGrid.builder().home(home).store(a.metadataStore()).queue(a.queue())
            .blobs(new dev.rgrid.core.internal.blob.FileBlobStore(src.resolve("blobs")))
            .engine("process").workers(1).pollInterval(Duration.ofHours(1)).build();
        LocalRGrid client = RGrid.builder().home(other).store(b.metadataStore()).queue(b.queue())
            .blobs(new dev.rgrid.core.internal.blob.FileBlobStore(src.resolve("blobs")))
            .engine("process").workers(0).build()) {
      // No need to wait for the listener: right after its LISTEN it wakes the worker once, so
      // work enqueued before that is claimed too.
      assertThat(worker.placement().runtime().orElseThrow().name()).isEqualTo("process");
      Execution e = client.run(RunSpec.builder(script).cache(false).build());
      ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(done.workerId()).isNotNull();
    }
  }
}
