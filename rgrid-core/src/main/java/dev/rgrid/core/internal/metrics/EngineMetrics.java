package dev.rgrid.core.internal.metrics;

import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the engine counts, as Micrometer meters named {@code rgrid.*} (Prometheus: {@code rgrid_*},
 * base units). Every part of the engine reports through this one facade, so the series and their
 * tags are defined in one place; {@link #off()} (no registry given to the builder) makes each call
 * a field read and nothing more. Other parts of core that want counting (garbage collection, for
 * one) add a method here rather than touching the registry.
 */
public final class EngineMetrics {
  private static final EngineMetrics OFF = new EngineMetrics(null);
  private static final Duration MIN_WAIT = Duration.ofMillis(1);
  private static final Duration MAX_WAIT = Duration.ofHours(6);
  private static final String CACHE = "Result cache lookups of cacheable runs";
  private static final String BLOBS = "Bytes put into the blob store";
  private static final String GC_RUNS = "Garbage collection runs";
  private static final String GC_FREED = "Bytes freed by garbage collection";

  private final MeterRegistry registry;
  private final Map<WorkerId, Instant> heartbeats = new ConcurrentHashMap<>();

  private EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry != null) {
      // Present at 0 from the start, so that dashboards and alert rules over them find a series
      // before the first event (a rate over a missing series is no data, not 0).
      for (String result : new String[] {"hit", "miss"}) {
        Counter.builder("rgrid.cache.lookups").description(CACHE).tag("result", result)
            .register(registry);
      }
      Counter.builder("rgrid.blob.stored").baseUnit("bytes").description(BLOBS)
          .register(registry);
      for (boolean ok : new boolean[] {true, false}) {
        environments(ok);
      }
      Counter.builder("rgrid.gc.runs").description(GC_RUNS).register(registry);
      Counter.builder("rgrid.gc.freed").baseUnit("bytes").description(GC_FREED)
          .register(registry);
    }
  }

  /** Counts nothing. */
  public static EngineMetrics off() {
    return OFF;
  }

  /** Counts into {@code registry}, or nothing when it is {@code null}. */
  public static EngineMetrics of(MeterRegistry registry) {
    return registry == null ? OFF : new EngineMetrics(registry);
  }

  /** The registry counted into, if any. */
  public Optional<MeterRegistry> registry() {
    return Optional.ofNullable(registry);
  }

  /** Whether anything is counted (callers skip work that only metrics need). */
  public boolean enabled() {
    return registry != null;
  }

  /**
   * Registers a gauge {@code rgrid.<name>} read from {@code value} at each scrape; {@code tags}
   * come in key, value pairs. The supplier is held strongly: it lives as long as the registry.
   */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    if (registry == null) {
      return;
    }
    Gauge.builder("rgrid." + name, value, s -> s.get().doubleValue()).description(description)
        .tags(tags).strongReference(true).register(registry);
  }

  /** {@code record} started running (QUEUED to RUNNING): how long it waited in the queue. */
  public void started(ExecutionRecord record) {
    if (registry == null || record.startedAt() == null) {
      return;
    }
    Timer.builder("rgrid.queue.wait").description("Time from submission to the start of a run")
        .publishPercentileHistogram().minimumExpectedValue(MIN_WAIT).maximumExpectedValue(MAX_WAIT)
        .register(registry).record(nonNegative(record.createdAt(), record.startedAt()));
  }

  /**
   * {@code record} reached its terminal state here: counted by status and failure kind, and its
   * run time (start to end; none for a run that never started) by status.
   */
  public void ended(ExecutionRecord record) {
    if (registry == null || !record.status().isTerminal()) {
      return;
    }
    FailureReason failure = record.failure();
    String kind = failure == null ? "none"
        : failure.kind().name().toLowerCase(java.util.Locale.ROOT);
    String status = status(record.status());
    Counter.builder("rgrid.executions.ended").description("Executions ended, by status and "
        + "failure kind").tag("status", status).tag("failure_kind", kind).register(registry)
        .increment();
    if (record.startedAt() != null && record.finishedAt() != null && !record.cached()) {
      Timer.builder("rgrid.run.duration").description("Run time of executions, start to end")
          .tag("status", status).publishPercentileHistogram().minimumExpectedValue(MIN_WAIT)
          .maximumExpectedValue(MAX_WAIT).register(registry)
          .record(nonNegative(record.startedAt(), record.finishedAt()));
    }
  }

  /** A cacheable run was looked up in the result cache: {@code hit} or not. */
  public void cacheLookup(boolean hit) {
    if (registry != null) {
      Counter.builder("rgrid.cache.lookups").description(CACHE).tag("result", hit ? "hit" : "miss")
          .register(registry).increment();
    }
  }

  /** A Python environment with requirements was prepared (built or reused) in {@code took}. */
  public void environmentPrepared(boolean ok, Duration took) {
    if (registry != null) {
      environments(ok).record(took);
    }
  }

  private Timer environments(boolean ok) {
    return Timer.builder("rgrid.environment.preparations").description("Environments with "
        + "requirements prepared for runs (built, or reused when ready)")
        .tag("outcome", ok ? "ok" : "failed").register(registry);
  }

  /** {@code bytes} of content were put into the blob store (including content it already held). */
  public void blobStored(long bytes) {
    if (registry != null) {
      Counter.builder("rgrid.blob.stored").baseUnit("bytes").description(BLOBS).register(registry)
          .increment(bytes);
    }
  }

  /**
   * {@code worker} renewed its leases at {@code at}: counted, and the age of its last heartbeat
   * becomes a gauge (registered on its first heartbeat) read against {@code clock}.
   */
  public void heartbeat(WorkerId worker, Instant at, Clock clock) {
    if (registry == null) {
      return;
    }
    if (heartbeats.put(worker, at) == null) {
      gauge("worker.heartbeat.age.seconds", "Seconds since this worker's last heartbeat",
          () -> Duration.between(heartbeats.get(worker), clock.instant()).toMillis() / 1000.0,
          "worker", worker.value());
    }
    Counter.builder("rgrid.worker.heartbeats").description("Lease renewals by workers")
        .tag("worker", worker.value()).register(registry).increment();
  }

  /**
   * One garbage collection run ended, having freed {@code bytesFreed} bytes of storage (0 for a
   * dry run or one that found nothing).
   */
  public void gcRun(long bytesFreed) {
    if (registry == null) {
      return;
    }
    if (bytesFreed < 0) {
      throw new IllegalArgumentException("bytes freed cannot be negative, was " + bytesFreed);
    }
    Counter.builder("rgrid.gc.runs").description(GC_RUNS).register(registry)
        .increment();
    Counter.builder("rgrid.gc.freed").baseUnit("bytes").description(GC_FREED).register(registry)
        .increment(bytesFreed);
  }

  private static String status(ExecutionStatus status) {
    return status.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Duration nonNegative(Instant from, Instant to) {
    Duration d = Duration.between(Objects.requireNonNull(from), Objects.requireNonNull(to));
    return d.isNegative() ? Duration.ZERO : d;
  }
}
