package dev.rgrid.core.scale;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The queue as the autoscaler sees it at one tick.
 *
 * @param waiting entries not claimed by any worker (the {@code waiting} queue depth)
 * @param running executions running now (claimed and started)
 * @param recentWaitP95 the 95th percentile of how long recent work waited (started lately, or
 *     still waiting), {@link Duration#ZERO} when there is none
 * @param typicalRun the mean run time of recently ended work, empty when none ended lately
 */
public record QueueState(long waiting, long running, Duration recentWaitP95,
    Optional<Duration> typicalRun) {
  /** Checks the values. */
  public QueueState {
    Objects.requireNonNull(recentWaitP95, "recentWaitP95");
    Objects.requireNonNull(typicalRun, "typicalRun");
    if (waiting < 0 || running < 0) {
      throw new IllegalArgumentException("queue counts cannot be negative: waiting " + waiting
          + ", running " + running);
    }
    if (recentWaitP95.isNegative()) {
      throw new IllegalArgumentException("a wait cannot be negative: " + recentWaitP95);
    }
    if (typicalRun.isPresent() && typicalRun.get().isNegative()) {
      throw new IllegalArgumentException("a run time cannot be negative: " + typicalRun.get());
    }
  }

  /** Nothing waits and nothing runs. */
  public static QueueState idle() {
    return new QueueState(0, 0, Duration.ZERO, Optional.empty());
  }
}
