package dev.rgrid.core.internal.execution;

import dev.rgrid.core.internal.alert.AlertEvents;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.cost.HourlyBilling;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.cost.WorkerPrice;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how the attempts this worker runs start and end: each state change fenced by the
 * attempt, each end costed at the worker's price, kept in the result cache when it succeeded, and
 * counted against the spending limit and the billing hours before anyone waiting here hears of
 * it.
 */
public final class AttemptRecords {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptRecords.class);

  private final MetadataStore store;
  private final Clock clock;
  private final WorkerPrice price;
  private final LocalState local;
  private final ResultCache cache;
  private final Spending spending;
  private final HourlyBilling billing;
  private final EngineMetrics metrics;
  private final AlertEvents alerts;

  /**
   * Records in {@code store} of the attempts {@code price}'s worker runs, told to the waiters in
   * {@code local}; successes are kept in {@code cache}, costs counted in {@code spending} and in
   * {@code billing} (null when the worker is not billed per started hour); starts and ends are
   * counted in {@code metrics}; a batch ended with failed items is offered to {@code alerts}.
   */
  public AttemptRecords(MetadataStore store, Clock clock, WorkerPrice price, LocalState local,
      ResultCache cache, Spending spending, HourlyBilling billing, EngineMetrics metrics,
      AlertEvents alerts) {
    this.metrics = metrics;
    this.alerts = alerts;
    this.store = store;
    this.clock = clock;
    this.price = price;
    this.local = local;
    this.cache = cache;
    this.spending = spending;
    this.billing = billing;
  }

  /** QUEUED to RUNNING by this worker for the claim's attempt. */
  ExecutionRecord running(Claim claim) {
    Instant now = clock.instant();
    ExecutionRecord running = store.update(claim.executionId(),
        Set.of(ExecutionStatus.QUEUED), r -> r.toBuilder().attempt(claim.attempt())
            .workerId(price.worker()).startedAt(now).finishedAt(null).exitCode(null)
            .failure(null).transition(ExecutionStatus.RUNNING, now).build());
    metrics.started(running);
    publish(running);
    return running;
  }

  /** An attempt of {@code id} started running here at {@code at}: its billing hour counts it. */
  void started(ExecutionId id, Instant at) {
    if (billing != null) {
      billing.started(id, at);
    }
  }

  /** The attempt of {@code id} that started here stopped at {@code at}, however it ended. */
  void stopped(ExecutionId id, Instant at) {
    if (billing != null) {
      billing.finished(id, at);
    }
  }

  /**
   * Records the end of a script that exited with {@code result}, seen at {@code now}: its captured
   * output, its {@code artifacts}, and why it failed ({@code outputFailure} when its outputs broke
   * a limit, else its memory or exit code); a success is kept in the result cache.
   */
  void exited(ExecutionRecord record, Instant now, ExitResult result,
      LogCollector.Captured captured, List<Artifact> artifacts, FailureReason outputFailure) {
    ExecutionId id = record.id();
    if (record.attempt() > 1) {
      // An earlier attempt may have recorded its outputs before its worker was lost.
      store.removeArtifacts(id);
    }
    if (!artifacts.isEmpty()) {
      store.putArtifacts(id, artifacts);
    }
    FailureReason failure = outputFailure;
    if (result.oomKilled()) {
      failure = new FailureReason(FailureKind.OUT_OF_MEMORY, "the script used more memory than "
          + "its limit and was killed", "pass a larger --memory, or use less memory");
    } else if (result.exitCode() != 0) {
      failure = new FailureReason(FailureKind.SCRIPT_EXIT, "the script exited with code "
          + result.exitCode(), "see its output with `rgrid logs " + id + "`");
    }
    FailureReason f = failure;
    ExecutionStatus status = f == null ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
    ExecutionRecord done = store.update(id,
        Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED), Fence.guard(record.attempt(),
            price.worker(), r -> price.costed(r, captured(r.toBuilder(), captured)
                .exitCode(result.exitCode()).failure(f).transition(status, now).build())));
    try {
      // Before anyone hears of the end, so that an identical run submitted right after it
      // finds the entry.
      cache.remember(done, artifacts);
    } catch (RuntimeException e) {
      // The run itself succeeded and is recorded; only its reuse is lost.
      LOG.warn("could not keep {} in the result cache: {}", id, e.getMessage());
    }
    publish(done);
  }

  /** {@code b} with the output {@code c} captured. */
  static ExecutionRecord.Builder captured(ExecutionRecord.Builder b, LogCollector.Captured c) {
    return b.logTruncated(c.truncated()).stdout(c.stdout()).stderr(c.stderr());
  }

  /** Records this attempt's terminal state from RUNNING (or QUEUED) and tells local listeners. */
  void finish(ExecutionRecord mine, UnaryOperator<ExecutionRecord.Builder> change) {
    finish(mine, mine.attempt(), change);
  }

  /** Records a terminal state, fenced by {@code attempt} unless it ends a lost worker's run. */
  void finish(ExecutionRecord mine, int attempt, UnaryOperator<ExecutionRecord.Builder> change) {
    UnaryOperator<ExecutionRecord> write =
        r -> price.costed(r, change.apply(r.toBuilder()).build());
    // A lost worker's execution is ended by whoever found it lost: that is no takeover.
    ExecutionRecord done = store.update(mine.id(),
        Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED), attempt > mine.attempt() ? write
            : Fence.guard(attempt, price.worker(), write));
    publish(done);
  }

  /** Tells this instance of {@code record}, an end first counted in the billing and spending. */
  void publish(ExecutionRecord record) {
    if (billing != null && record.status().isTerminal()) {
      // The end as recorded, not when this thread gets here: the clock may have moved on.
      billing.finished(record.id(), record.finishedAt() != null ? record.finishedAt()
          : record.transitions().get(record.transitions().size() - 1).at());
    }
    if (record.status().isTerminal()) {
      spending.afterCost(record); // before listeners hear of the end, like the cache entry
      metrics.ended(record);
      alerts.ended(record);
    }
    local.publish(record);
  }
}
