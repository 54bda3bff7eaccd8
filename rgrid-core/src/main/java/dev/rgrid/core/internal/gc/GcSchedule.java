package dev.rgrid.core.internal.gc;

import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.spi.store.RetentionStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects garbage every interval on a thread of its own, in one process at a time across every
 * machine sharing the store: each round first takes the store's collection lock ({@link
 * RetentionStore#tryLockCollection}) and skips the store when another process holds it; the
 * environments of this machine are collected in every round all the same. A failed round is
 * logged and the next one tries again.
 */
public final class GcSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcSchedule.class);

  private final GarbageCollector gc;
  private final RetentionStore store;
  private final ScheduledExecutorService timer;

  /** Starts collecting with {@code gc} every {@code interval}, the first round one interval on. */
  public GcSchedule(GarbageCollector gc, RetentionStore store, Duration interval) {
    this.gc = Objects.requireNonNull(gc, "gc");
    this.store = Objects.requireNonNull(store, "store");
    long millis = Math.max(1, interval.toMillis());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rgrid-gc");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::round, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * One round: the collection it ran, or empty when another process holds the lock (only the
   * environments were collected).
   */
  Optional<GcReport> runOnce() throws Exception {
    Optional<AutoCloseable> lock = store.tryLockCollection();
    if (lock.isEmpty()) {
      // The store is another's to collect this round, but this machine's environments are not.
      LOG.debug("another process is collecting the store's garbage; collecting only this "
          + "machine's environments this round");
      gc.collectEnvironments();
      return Optional.empty();
    }
    try (AutoCloseable held = lock.get()) {
      return Optional.of(gc.collect(GcRequest.configured()));
    }
  }

  private void round() {
    try {
      runOnce();
    } catch (Exception e) {
      LOG.warn("scheduled garbage collection failed, trying again in the next round: {}",
          e.toString());
    }
  }

  /** Stops the schedule, interrupting a round in progress. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
