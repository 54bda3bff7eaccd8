package dev.rgrid.core.scale;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.scale.WorkerScaler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's loop: at each tick it reads the queue and the pool, lets the {@link
 * ScalePlanner} decide, sets the pool's replicas when they change, logs the decision in one line
 * (the numbers it came from) and counts it. Meters: {@code rgrid.autoscale.desired.replicas} (the
 * replicas last set), {@code rgrid.autoscale.needed.replicas} (what the queue needed) and {@code
 * rgrid.autoscale.decisions} by {@code reason} (Prometheus: {@code
 * rgrid_autoscale_decisions_total}), plus {@code reason="error"} for ticks that failed.
 */
public final class Autoscaler {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);
  private static final String DECISIONS = "Autoscaler decisions, by reason";

  private final Supplier<QueueState> queue;
  private final WorkerScaler pool;
  private final ScalePlanner planner;
  private final Clock clock;
  private final Map<ScaleReason, Counter> decisions = new EnumMap<>(ScaleReason.class);
  private final Counter errors;
  private final AtomicInteger desired = new AtomicInteger(-1);
  private final AtomicInteger needed = new AtomicInteger(-1);
  private ScaleReason lastReason;

  /**
   * An autoscaler of {@code pool}, not ticking yet ({@link #tick}, {@link #start}).
   *
   * @param queue reads the queue at each tick ({@link QueueReader})
   * @param pool the machines to size
   * @param planner the policy
   * @param clock the time decisions are made at
   * @param registry where the meters go, or {@code null} for none
   */
  public Autoscaler(Supplier<QueueState> queue, WorkerScaler pool, ScalePlanner planner,
      Clock clock, MeterRegistry registry) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.planner = Objects.requireNonNull(planner, "planner");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (registry != null) {
      for (ScaleReason reason : ScaleReason.values()) {
        decisions.put(reason, Counter.builder("rgrid.autoscale.decisions").description(DECISIONS)
            .tag("reason", reason.tag()).register(registry));
      }
      errors = Counter.builder("rgrid.autoscale.decisions").description(DECISIONS)
          .tag("reason", "error").register(registry);
      Gauge.builder("rgrid.autoscale.desired.replicas", desired, AtomicInteger::get)
          .description("Worker replicas the autoscaler last set (-1 before its first tick)")
          .register(registry);
      Gauge.builder("rgrid.autoscale.needed.replicas", needed, AtomicInteger::get)
          .description("Worker replicas the queue needed at the last tick, within the bounds")
          .register(registry);
    } else {
      errors = null;
    }
  }

  /**
   * One tick: read, decide, apply, log, count.
   *
   * @return the decision taken
   * @throws RGridException when the store or the pool's engine failed (nothing was changed)
   */
  public synchronized ScaleDecision tick() {
    QueueState state = queue.get();
    int current = pool.replicas();
    ScaleDecision decision = planner.decide(state, current, pool.machines(), clock.instant());
    if (decision.changes()) {
      pool.setReplicas(decision.target());
    }
    desired.set(decision.target());
    needed.set(decision.needed());
    Counter counter = decisions.get(decision.reason());
    if (counter != null) {
      counter.increment();
    }
    if (decision.changes() || decision.reason() != lastReason) {
      LOG.info("autoscale {}: {} -> {} replicas ({}): {}", pool.describe(), decision.current(),
          decision.target(), decision.reason().tag(), decision.why());
    } else {
      LOG.debug("autoscale {}: {} replicas ({}): {}", pool.describe(), decision.target(),
          decision.reason().tag(), decision.why());
    }
    lastReason = decision.reason();
    return decision;
  }

  /**
   * Ticks every {@code interval} on a thread of its own until the returned handle is closed; a
   * failed tick is logged and counted, and the next one tries again.
   *
   * @throws IllegalArgumentException if {@code interval} is not shorter than the policy's release
   *     window (a surplus machine's chance to stop would be missed)
   */
  public AutoCloseable start(Duration interval) {
    if (interval.isNegative() || interval.isZero()
        || interval.compareTo(planner.policy().releaseWindow()) >= 0) {
      throw new IllegalArgumentException("the autoscale interval must be positive and shorter "
          + "than the release window (" + planner.policy().releaseWindow() + "), was " + interval);
    }
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rgrid-autoscale");
      t.setDaemon(true);
      return t;
    });
    loop.scheduleWithFixedDelay(this::tickLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return () -> {
      loop.shutdownNow();
      loop.awaitTermination(10, TimeUnit.SECONDS);
    };
  }

  private void tickLogged() {
    try {
      tick();
    } catch (RGridException e) {
      if (errors != null) {
        errors.increment();
      }
      LOG.warn("autoscale {}: this tick failed, the next one tries again: {}{}", pool.describe(),
          e.getMessage(), e.hint().map(h -> " (" + h + ")").orElse(""));
    } catch (RuntimeException e) {
      if (errors != null) {
        errors.increment();
      }
      LOG.error("autoscale {}: this tick failed, the next one tries again", pool.describe(), e);
    }
  }
}
