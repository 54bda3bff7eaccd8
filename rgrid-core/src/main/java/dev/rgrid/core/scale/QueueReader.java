package dev.rgrid.core.scale;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.spi.queue.QueueDepth;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the {@link QueueState} from a host's shared state: the queue's entries by state ({@link
 * dev.rgrid.core.Operations#queueDepth()}, as the console's workers page shows them), and the
 * waits and run times of the newest executions.
 */
public final class QueueReader implements Supplier<QueueState> {
  /** Waits of work that started longer ago than this no longer describe the queue. */
  static final Duration WAIT_WINDOW = Duration.ofMinutes(15);
  /** Run times of work that ended longer ago than this no longer describe the work. */
  static final Duration RUN_WINDOW = Duration.ofHours(1);
  /** The newest executions read for waits and run times, one page. */
  static final int RECENT = 500;

  private final LocalRGrid rgrid;
  private final Clock clock;

  /** Reads {@code rgrid}'s shared queue and store, with times from {@code clock}. */
  public QueueReader(LocalRGrid rgrid, Clock clock) {
    this.rgrid = Objects.requireNonNull(rgrid, "rgrid");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public QueueState get() {
    // One query for both counts: unclaimed entries wait (those of runs still waiting for their
    // parents are not counted: no worker could take them); a claimed entry occupies a worker's
    // slot, also while its lease has lapsed and the work is about to be taken again.
    QueueDepth depth = rgrid.operations().queueDepth();
    long waiting = depth.ready() + depth.delayed();
    long running = depth.running() + depth.lapsed();
    List<ExecutionRecord> recent = rgrid.list(ExecutionQuery.latest(RECENT)).items();
    return summarise(waiting, running, recent, clock.instant());
  }

  /**
   * The queue state from its counts and the newest executions: the wait of each that started
   * within {@link #WAIT_WINDOW} (start minus creation) or still waits (now minus creation), and
   * the mean run time of those that ended within {@link #RUN_WINDOW}.
   */
  public static QueueState summarise(long waiting, long running, List<ExecutionRecord> recent,
      Instant now) {
    List<Duration> waits = new ArrayList<>();
    Duration runTotal = Duration.ZERO;
    int runs = 0;
    for (ExecutionRecord r : recent) {
      if (r.cached()) {
        continue; // a cache hit neither waited for a worker nor ran on one
      }
      if (r.status() == ExecutionStatus.QUEUED) {
        waits.add(nonNegative(r.createdAt(), now));
      } else if (r.startedAt() != null && !r.startedAt().isBefore(now.minus(WAIT_WINDOW))) {
        waits.add(nonNegative(r.createdAt(), r.startedAt()));
      }
      if (r.status().isTerminal() && r.startedAt() != null && r.finishedAt() != null
          && !r.finishedAt().isBefore(now.minus(RUN_WINDOW))) {
        runTotal = runTotal.plus(nonNegative(r.startedAt(), r.finishedAt()));
        runs++;
      }
    }
    Optional<Duration> typical = runs == 0 ? Optional.empty()
        : Optional.of(runTotal.dividedBy(runs));
    return new QueueState(waiting, running, p95(waits), typical);
  }

  /** The nearest-rank 95th percentile, {@link Duration#ZERO} of none. */
  public static Duration p95(List<Duration> values) {
    if (values.isEmpty()) {
      return Duration.ZERO;
    }
    List<Duration> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(0.95 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static Duration nonNegative(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
