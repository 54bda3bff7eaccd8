package dev.rgrid.core.internal.execution;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.util.function.UnaryOperator;

/**
 * Fences a runner's writes by its attempt. A worker whose lease lapsed (a long pause, a cut
 * network) may reach the end of its run after another worker took the execution over; without a
 * fence its late write would overwrite the new attempt's record, and the execution would end
 * twice. The status check of {@code MetadataStore.update} cannot tell the two apart: both see
 * RUNNING. The attempt number and the worker id can, and the check runs inside the store's
 * compare-and-set, so nothing slips in between.
 */
final class Fence {
  private Fence() {
  }

  /** Thrown (inside the store's update, so nothing is written) when the attempt was taken over. */
  static final class TakenOverException extends ConflictException {
    TakenOverException(ExecutionRecord current, int attempt, WorkerId worker) {
      super("execution " + current.id() + " was taken over: attempt " + attempt + " on "
          + worker + " ended after attempt " + current.attempt() + " started on "
          + current.workerId());
    }
  }

  /**
   * {@code change}, applied only while the execution is still this attempt's: not a later attempt
   * and, while running, run by {@code worker}.
   */
  static UnaryOperator<ExecutionRecord> guard(int attempt, WorkerId worker,
      UnaryOperator<ExecutionRecord> change) {
    return r -> {
      if (r.attempt() > attempt
          || r.status() == ExecutionStatus.RUNNING && !worker.equals(r.workerId())) {
        throw new TakenOverException(r, attempt, worker);
      }
      return change.apply(r);
    };
  }
}
