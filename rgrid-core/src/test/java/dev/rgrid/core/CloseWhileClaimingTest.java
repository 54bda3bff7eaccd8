package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing an instance while its claimer is taking work: the claim must go back to the queue as
 * it was, and no thread may die of an executor that was shut down under it (which printed a
 * {@code RejectedExecutionException} stack trace after {@code rgrid retry exec_<unknown>}).
 */
class CloseWhileClaimingTest {
  private static final ExecutionId UNKNOWN = ExecutionId.of("exec_01M8AXB2WH080CEFVK3WTHJKQ6");

  @TempDir Path home;
  @TempDir Path src;
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previous;

  @BeforeEach
  void watchThreads() {
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
  }

  @AfterEach
  void restore() {
    Thread.setDefaultUncaughtExceptionHandler(previous);
  }

  @Test
  void aClaimMadeWhileClosingGoesBackToTheQueueAsItWasAndNoThreadDies() throws Exception {
    Path script = Files.writeString(src.resolve("q.py"), "print(1)\n");
    try (SqliteDatabase db = SqliteDatabase.open(home.resolve("rgrid.db"))) {
      for (int round = 0; round < 5; round++) {
        ExecutionId id;
        try (LocalRGrid submitOnly = RGrid.builder().home(home).workers(0).build()) {
          id = submitOnly.run(RunSpec.builder(script).cache(false).build()).id();
        }
        ClaimsAsItCloses queue = new ClaimsAsItCloses(db.queue());
        LocalRGrid worker = RGrid.builder().home(home).store(db.metadataStore()).queue(queue)
            .workerId(new WorkerId("closing")).build();
        try (worker) {
          assertThatThrownBy(() -> worker.retry(UNKNOWN)).isInstanceOf(NotFoundException.class)
              .hasMessageContaining("no execution " + UNKNOWN);
          assertThat(queue.asked.await(10, TimeUnit.SECONDS)).as("the claimer asked").isTrue();
        }
        assertThat(queue.claimed.await(10, TimeUnit.SECONDS)).as("the claimer claimed").isTrue();
        assertThat(uncaught).as("threads that died").isEmpty();
        assertThat(db.metadataStore().get(id).status()).isEqualTo(ExecutionStatus.QUEUED);
        List<Claim> again = db.queue().claim(new WorkerId("next"), 10, Instant.now(),
            Duration.ofMinutes(1));
        assertThat(again).as("round %d", round).singleElement()
            .satisfies(c -> assertThat(c.executionId()).isEqualTo(id))
            .satisfies(c -> assertThat(c.attempt()).isEqualTo(1));
        db.queue().remove(id);
      }
    }
  }

  /**
   * The real queue, except that the worker's first claim waits until the worker starts closing
   * (its subscription is closed first), so the claim comes back into a pool that is closing.
   */
  private static final class ClaimsAsItCloses implements ForwardingQueue {
    private final ExecutionQueue delegate;
    private final CountDownLatch closing = new CountDownLatch(1);
    final CountDownLatch asked = new CountDownLatch(1);
    final CountDownLatch claimed = new CountDownLatch(1);

    ClaimsAsItCloses(ExecutionQueue delegate) {
      this.delegate = delegate;
    }

    @Override
    public ExecutionQueue delegate() {
      return delegate;
    }

    @Override
    public AutoCloseable subscribe(Runnable onWork) {
      return closing::countDown;
    }

    @Override
    public List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
      asked.countDown();
      try {
        if (!closing.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("the worker was not closed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
      List<Claim> claims = delegate.claim(worker, max, now, lease);
      if (!claims.isEmpty()) {
        claimed.countDown();
      }
      return claims;
    }
  }
}
