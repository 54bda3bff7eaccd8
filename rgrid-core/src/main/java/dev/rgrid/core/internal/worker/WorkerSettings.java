package dev.rgrid.core.internal.worker;

import dev.rgrid.spi.WorkerId;
import java.time.Duration;
import java.util.Objects;

/**
 * How this instance's worker takes and holds work.
 *
 * @param id the worker's name in the queue
 * @param slots how many executions it runs at once; 0 when this instance runs nothing itself and
 *     only submits (it then has no pool)
 * @param adopts whether it also runs work not reserved for it (see {@code RGridBuilder.adoptsWork})
 * @param lease how long a claim lives without a heartbeat (work submitted here is queued with it)
 * @param pollInterval how often it looks for work it was not told about
 * @param closeGrace how long closing waits for running executions before handing them back
 */
public record WorkerSettings(WorkerId id, int slots, boolean adopts, Duration lease,
    Duration pollInterval, Duration closeGrace) {
  /** Checks the values. */
  public WorkerSettings {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(closeGrace, "closeGrace");
    if (slots < 0) {
      throw new IllegalArgumentException("slots must be >= 0, was " + slots);
    }
  }
}
