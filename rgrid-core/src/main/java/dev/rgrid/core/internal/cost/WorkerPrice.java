package dev.rgrid.core.internal.cost;

import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import java.util.Objects;

/**
 * This worker and what an hour of it costs: what every attempt it runs is costed at (see {@link
 * Prices#costed}).
 *
 * @param worker the worker's name in the queue
 * @param hourlyMicros what an hour of it costs, in micros (0 for a machine already paid for)
 */
public record WorkerPrice(WorkerId worker, long hourlyMicros) {
  /** Checks the values. */
  public WorkerPrice {
    Objects.requireNonNull(worker, "worker");
    if (hourlyMicros < 0) {
      throw new IllegalArgumentException("an hourly price cannot be negative");
    }
  }

  /**
   * {@code next}, the record after an attempt ended, with that attempt's cost added when this
   * worker ran it.
   */
  public ExecutionRecord costed(ExecutionRecord before, ExecutionRecord next) {
    return Prices.costed(before, next, worker, hourlyMicros);
  }
}
