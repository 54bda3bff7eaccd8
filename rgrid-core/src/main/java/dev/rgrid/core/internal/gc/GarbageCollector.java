package dev.rgrid.core.internal.gc;

import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.GcSettings;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.RetentionScope;
import dev.rgrid.spi.store.RetentionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, then blob collection, then environments: removes ended executions older than the
 * retention (with what hangs off them), deletes the blobs nothing references any more ({@link
 * BlobCollection}), and removes least recently used environments past their budget ({@link
 * EnvironmentCollection}).
 * One collection at a time per instance; across processes, {@link GcSchedule} takes the store's
 * lock first.
 */
public final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final RetentionStore store;
  private final BlobStore blobs;
  private final Clock clock;
  private final GcSettings settings;
  private final LongConsumer ranFreeing;
  private final EnvironmentCollection environments;
  private final ReentrantLock running = new ReentrantLock();

  /** A collector of {@code store}'s executions and {@code blobs}. */
  public GarbageCollector(RetentionStore store, BlobStore blobs, Clock clock,
      GcSettings settings) {
    this(store, blobs, clock, settings, bytesFreed -> { }, null);
  }

  /**
   * As {@link #GarbageCollector(RetentionStore, BlobStore, Clock, GcSettings)}, telling {@code
   * ranFreeing} the bytes each collection freed (0 for a dry run): the metrics' GC counters; and
   * keeping {@code environments} (or none, when null) within their budget.
   */
  public GarbageCollector(RetentionStore store, BlobStore blobs, Clock clock,
      GcSettings settings, LongConsumer ranFreeing, EnvironmentCollection environments) {
    this.environments = environments;
    this.ranFreeing = Objects.requireNonNull(ranFreeing, "ranFreeing");
    this.store = Objects.requireNonNull(store, "store");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The settings it runs with. */
  public GcSettings settings() {
    return settings;
  }

  /** Runs one collection as {@code request} says, the settings filling what it leaves out. */
  public GcReport collect(GcRequest request) {
    Objects.requireNonNull(request, "request");
    running.lock();
    try {
      Instant start = clock.instant();
      Duration keep = request.olderThan() != null ? request.olderThan() : settings.retention();
      Duration grace = request.grace() != null ? request.grace() : settings.blobGrace();
      Instant endedBefore = minus(start, keep);
      Retention.Totals removed = retain(request, start, endedBefore);
      BlobCollection.Totals collected = blobs.capabilities().collectable()
          ? new BlobCollection(store, blobs).run(minus(start, grace), grace.isZero(),
              request.dryRun(), endedBefore)
          : new BlobCollection.Totals(0, 0, 0, 0);
      EnvironmentCollection.Totals envs = environments == null
          ? new EnvironmentCollection.Totals(0, 0)
          : environments.run(settings.environmentsMaxBytes(), request.dryRun());
      GcReport report = new GcReport(request.dryRun(), endedBefore, removed.executions(),
          removed.logLines(), removed.cacheEntries(), removed.batches(), collected.discarded(),
          collected.purged(), collected.bytesFreed(), collected.restored(), envs.environments(),
          envs.bytesFreed());
      LOG.info("garbage collection{}: {}", request.dryRun() ? " (dry run)" : "", report);
      ranFreeing.accept(request.dryRun() ? 0 : collected.bytesFreed() + envs.bytesFreed());
      return report;
    } finally {
      running.unlock();
    }
  }

  /**
   * Removes the ended executions past their retention: each account with a retention of its own
   * by its own, every other by {@code endedBefore}. An explicit {@link GcRequest#olderThan()} is
   * the operator's word for everything, so it applies to every account alike.
   */
  private Retention.Totals retain(GcRequest request, Instant start, Instant endedBefore) {
    Retention retention = new Retention(store);
    Map<AccountId, Integer> own = request.olderThan() != null ? Map.of()
        : store.retentionDays();
    Retention.Totals removed = retention.run(endedBefore, request.dryRun(),
        RetentionScope.allBut(own.keySet()));
    for (Map.Entry<AccountId, Integer> e : own.entrySet()) {
      removed = removed.plus(retention.run(minus(start, Duration.ofDays(e.getValue())),
          request.dryRun(), RetentionScope.of(e.getKey())));
    }
    return removed;
  }

  /**
   * Only the environments of this machine past their budget: what a process does in a round
   * where another process holds the store's collection lock, since environments are each
   * machine's own. Returns what was removed.
   */
  public EnvironmentCollection.Totals collectEnvironments() {
    if (environments == null) {
      return new EnvironmentCollection.Totals(0, 0);
    }
    running.lock();
    try {
      EnvironmentCollection.Totals envs = environments.run(settings.environmentsMaxBytes(),
          false);
      if (envs.environments() > 0) {
        LOG.info("environment collection: {}", envs);
      }
      ranFreeing.accept(envs.bytesFreed());
      return envs;
    } finally {
      running.unlock();
    }
  }

  /** {@code at - d}, or the earliest instant when that is before it (a huge duration). */
  private static Instant minus(Instant at, Duration d) {
    try {
      Instant r = at.minus(d);
      return r.isBefore(Instant.EPOCH) ? Instant.EPOCH : r;
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.EPOCH;
    }
  }
}
