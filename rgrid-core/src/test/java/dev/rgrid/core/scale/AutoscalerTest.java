package dev.rgrid.core.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.scale.ScaledMachine;
import dev.rgrid.spi.scale.WorkerScaler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  private static final ScalePolicy POLICY = ScalePolicy.of(0, 5, Duration.ofMinutes(5), 2);

  /** A pool in memory: what the autoscaler set, and the machines it has. */
  private static final class Pool implements WorkerScaler {
    int replicas;
    final List<Integer> sets = new ArrayList<>();
    final List<ScaledMachine> machines = new ArrayList<>();
    RuntimeException failure;

    @Override
    public String describe() {
      return "test pool";
    }

    @Override
    public int replicas() {
      if (failure != null) {
        throw failure;
      }
      return replicas;
    }

    @Override
    public List<ScaledMachine> machines() {
      return machines;
    }

    @Override
    public void setReplicas(int n) {
      sets.add(n);
      replicas = n;
    }
  }

  @Test
  void aTickSetsTheReplicasTheQueueNeedsAndCountsItsReason() {
    Pool pool = new Pool();
    AtomicReference<QueueState> queue = new AtomicReference<>(
        new QueueState(7, 0, Duration.ZERO, java.util.Optional.empty()));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Autoscaler autoscaler = new Autoscaler(queue::get, pool, ScalePlanner.billingHour(POLICY),
        Clock.fixed(NOW, ZoneOffset.UTC), registry);

    ScaleDecision up = autoscaler.tick();
    assertThat(up.target()).isEqualTo(4);
    assertThat(pool.sets).containsExactly(4);
    assertThat(registry.get("rgrid.autoscale.desired.replicas").gauge().value()).isEqualTo(4);
    assertThat(registry.get("rgrid.autoscale.decisions").tag("reason", "up_for_backlog")
        .counter().count()).isEqualTo(1);

    // The queue empties mid-hour of machines started just now: nothing is set, the hold counted.
    pool.machines.add(new ScaledMachine("m1", NOW));
    queue.set(QueueState.idle());
    ScaleDecision hold = autoscaler.tick();
    assertThat(hold.reason()).isEqualTo(ScaleReason.HOLD_PAID_HOUR);
    assertThat(pool.sets).containsExactly(4);
    assertThat(registry.get("rgrid.autoscale.decisions").tag("reason", "hold_paid_hour")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("rgrid.autoscale.needed.replicas").gauge().value()).isEqualTo(0);
  }

  @Test
  void aFailedTickChangesNothingAndTheLoopRefusesAnIntervalThatMissesTheWindow() {
    Pool pool = new Pool();
    pool.failure = new BackendUnavailableException("docker", "no engine", "start it", null);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Autoscaler autoscaler = new Autoscaler(QueueState::idle, pool,
        ScalePlanner.billingHour(POLICY), Clock.fixed(NOW, ZoneOffset.UTC), registry);
    assertThatThrownBy(autoscaler::tick).isInstanceOf(BackendUnavailableException.class);
    assertThat(pool.sets).isEmpty();
    assertThatThrownBy(() -> autoscaler.start(Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("release window");
    assertThatThrownBy(() -> autoscaler.start(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
