package dev.rgrid.core.internal.execution;

import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed execution from start to end: marks it running (taking over a run whose worker
 * was lost), has {@link ContainerRun} run the attempt (or, for the template run of a batch
 * fanned out from a run that has now ended, has {@link FanOutExpansion} make the batch's runs),
 * records a failure inside RGrid through {@link Failures}, and completes the claim or hands it
 * back to the queue for the next attempt.
 */
public final class ExecutionRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionRunner.class);

  private final MetadataStore store;
  private final ExecutionQueue queue;
  private final Clock clock;
  private final WorkerId worker;
  private final int maxAttempts;
  private final LocalState local;
  private final AttemptRecords records;
  private final ContainerRun containers;
  private final Failures failures;
  private final LostAttempts lostAttempts;
  private final ParentInputs parents;
  private final FanOutExpansion fanOuts;

  /**
   * A runner of {@code worker}'s claims on {@code queue}, over the executions in {@code store}: a
   * run lost with its worker gets at most {@code maxAttempts} in all; {@code local} holds the
   * handles of the runs in this process; {@code parents} readies a child's inputs from its
   * parents' outputs; {@code fanOuts} expands a batch fanned out from a run once it ended.
   */
  public ExecutionRunner(MetadataStore store, ExecutionQueue queue, Clock clock, WorkerId worker,
      int maxAttempts, LocalState local, AttemptRecords records, ContainerRun containers,
      Failures failures, LostAttempts lostAttempts, ParentInputs parents,
      FanOutExpansion fanOuts) {
    this.parents = parents;
    this.fanOuts = fanOuts;
    this.store = store;
    this.queue = queue;
    this.clock = clock;
    this.worker = worker;
    this.maxAttempts = maxAttempts;
    this.local = local;
    this.records = records;
    this.containers = containers;
    this.failures = failures;
    this.lostAttempts = lostAttempts;
  }

  /** Deletes the workspaces kept for reuse; called once no execution runs. */
  public void close() {
    containers.close();
  }

  /** Runs the claimed execution to its end (or until the claim is lost) on this thread. */
  public void run(Claim claim) {
    ExecutionId id = claim.executionId();
    LocalState.Running handle = local.startRunning(id);
    Failures.Retry retry = null;
    boolean ran = false;
    boolean takenOver = false;
    try {
      ExecutionRecord running = begin(claim);
      if (running != null) {
        records.started(id, running.startedAt());
        ran = true;
        if (FanOut.isTemplate(running)) {
          // A batch fanned out from a run that has now succeeded: its runs are made, not run.
          fanOuts.expand(running);
        } else {
          ExecutionRecord ready = parents.ready(running);
          if (ready != null) {
            containers.run(ready, handle);
          }
        }
      }
    } catch (Fence.TakenOverException e) {
      // Our lease lapsed unnoticed (a pause longer than the lease) and the execution is another
      // worker's now: our late end was refused, and its queue entry is not ours to touch.
      LOG.warn("{}; this worker's result is dropped", e.getMessage());
      takenOver = true;
    } catch (BackendUnavailableException e) {
      // The engine or a store refused: recorded with its reason and hint; no stack trace needed.
      LOG.warn("execution {} failed: {}", id, e.getMessage());
      LOG.debug("execution {} failed", id, e);
      if (e instanceof StorageFullException && handle.started()) {
        // The script ran and its effects happened: running it again would repeat them and fill
        // the same disk. It ends here, whatever its retry policy says.
        retry = failures.fail(id, claim.attempt(), e,
            handle.exitCode()) ? null : Failures.Retry.UNRECORDED;
      } else {
        retry = failures.retryOrFail(id, claim.attempt(), e);
      }
    } catch (RuntimeException e) {
      LOG.error("execution {} failed inside RGrid", id, e);
      if (!failures.fail(id, claim.attempt(), e)) {
        retry = Failures.Retry.UNRECORDED;
      }
    } catch (Error e) {
      // A broken JVM (out of memory, a class that failed to load): nothing can be trusted to
      // record an end, and completing the claim would strand a RUNNING record. Leave the claim
      // for the heartbeat to hand back, so the execution runs again.
      LOG.error("execution {} hit a JVM error; it is handed back to the queue", id, e);
      retry = Failures.Retry.UNRECORDED;
      throw e;
    } finally {
      if (ran) {
        records.stopped(id, clock.instant());
      }
      local.stopRunning(id);
      // A lost claim belongs to another worker now (or soon, once the lease lapses): leave it.
      if (!handle.lost() && !takenOver && retry != Failures.Retry.UNRECORDED) {
        if (retry != null) {
          queue.retry(id, worker, retry.notBefore(), retry.attempt());
        } else {
          queue.complete(id, worker);
        }
      }
    }
  }

  /** Moves the execution to RUNNING for this attempt, or returns null when there is nothing to do. */
  private ExecutionRecord begin(Claim claim) {
    try {
      // The usual case, QUEUED, in one compare-and-set: no read before it.
      return records.running(claim);
    } catch (ConflictException e) {
      // Not QUEUED: ended meanwhile (cancelled), or RUNNING under a worker that was lost.
    }
    ExecutionId id = claim.executionId();
    ExecutionRecord current = store.get(id);
    if (current.status().isTerminal()) {
      return null;
    }
    Instant now = clock.instant();
    if (current.status() == ExecutionStatus.RUNNING) {
      // Its worker was lost: record the requeue, or give up after the last attempt the run's
      // retry policy (and this instance's own cap) allows.
      RetryPolicy policy = current.spec().retry();
      int allowed = Math.min(maxAttempts,
          policy.retryOn().contains(FailureKind.WORKER_LOST) ? policy.maxAttempts() : 1);
      // Said in its log first, so the lost attempt's output never ends in a silent gap.
      lostAttempts.mark(current, claim.attempt(), allowed, now);
      if (claim.attempt() > allowed) {
        records.finish(current, claim.attempt(), b -> b.failure(new FailureReason(
            FailureKind.WORKER_LOST, "the worker running it (" + current.workerId()
            + ") stopped answering, " + allowed + " attempt" + (allowed == 1 ? "" : "s")
            + " in all", "run it again with `rgrid retry " + id + "`"))
            .transition(ExecutionStatus.FAILED, now));
        return null;
      }
      records.publish(store.update(id, Set.of(ExecutionStatus.RUNNING), r -> r.toBuilder()
          .attempt(claim.attempt()).workerId(null).transition(ExecutionStatus.QUEUED, now).build()));
    }
    try {
      return records.running(claim);
    } catch (ConflictException e) {
      return null; // cancelled between the claim and now
    }
  }
}
