package dev.rgrid.core.internal.cost;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Billing per started hour for this worker: the worker's hours run from when it started; each
 * execution is first costed at its run time times the hourly price, then, once the hour (or hours)
 * it ran in have closed, that cost is replaced by its share of those hours' price, split over the
 * executions that ran in each hour in proportion to their run time ({@link BillingHours}). The
 * hours are closed by the worker's heartbeat as the injected clock passes them, and the last,
 * partial hour when the worker stops (it is billed whole: it was started).
 *
 * <p>An execution that runs more than once on this worker (a retried attempt) keeps the plain
 * cost of its attempts: one share per execution is what the tracker knows.
 */
public final class HourlyBilling {
  private static final Logger LOG = LoggerFactory.getLogger(HourlyBilling.class);
  private static final Set<ExecutionStatus> ENDED = EnumSet.of(ExecutionStatus.SUCCEEDED,
      ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED);

  private final MetadataStore store;
  private final WorkerId worker;
  private final BillingHours hours;
  private final Set<ExecutionId> started = ConcurrentHashMap.newKeySet();
  private final Set<ExecutionId> untracked = ConcurrentHashMap.newKeySet();
  private final Set<ExecutionId> pending = ConcurrentHashMap.newKeySet();
  private final Set<ExecutionId> ended = ConcurrentHashMap.newKeySet();

  /**
   * The billing of {@code price}'s worker, whose hours start at {@code periodStart}; final costs
   * are recorded in {@code store}.
   */
  public HourlyBilling(MetadataStore store, WorkerPrice price, Instant periodStart) {
    this.store = store;
    this.worker = price.worker();
    this.hours = new BillingHours(periodStart, price.hourlyMicros());
  }

  /** An attempt of {@code id} started running on this worker at {@code at}. */
  public void started(ExecutionId id, Instant at) {
    if (!started.add(id)) {
      untracked.add(id); // a second attempt: it keeps the plain cost of both
      pending.remove(id);
      return;
    }
    try {
      hours.started(id, at);
    } catch (IllegalArgumentException | IllegalStateException e) {
      untracked.add(id);
      LOG.debug("{} is not amortised: {}", id, e.getMessage());
    }
  }

  /** The attempt of {@code id} that started here ended at {@code at}; later calls are ignored. */
  public void finished(ExecutionId id, Instant at) {
    if (untracked.contains(id) || !started.contains(id) || !ended.add(id)) {
      return;
    }
    try {
      hours.finished(id, at);
      pending.add(id);
    } catch (IllegalArgumentException | IllegalStateException e) {
      untracked.add(id);
      LOG.debug("{} is not amortised: {}", id, e.getMessage());
    }
  }

  /** Closes the hours that ended by {@code now} and records the final costs now known. */
  public void tick(Instant now) {
    settle(hours.close(now));
  }

  /** The worker stops at {@code at}: its last hour closes (billed whole), every cost is final. */
  public void terminate(Instant at) {
    settle(hours.terminate(at));
  }

  private void settle(List<HourStatement> closed) {
    for (HourStatement h : closed) {
      if (h.idleMicros() > 0) {
        LOG.debug("billing hour {} of {}: {} micros with nothing running", h.index(),
            worker, h.idleMicros());
      }
    }
    for (ExecutionId id : new ArrayList<>(pending)) {
      OptionalLong cost = hours.finalCost(id);
      if (cost.isEmpty() || untracked.contains(id)) {
        continue;
      }
      try {
        store.update(id, ENDED, r -> r.toBuilder().costMicros(cost.getAsLong()).build());
        pending.remove(id);
      } catch (ConflictException e) {
        // It is not ended (run again by hand meanwhile?): its cost is no longer this hour's.
        pending.remove(id);
      } catch (RGridException e) {
        LOG.warn("cannot record the final cost of {} yet: {}", id, e.getMessage());
      }
    }
  }
}
