package dev.rgrid.core.internal.engine;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.ContainerStartException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an execution whose attempt failed inside RGrid rather than in the script: a
 * transient failure its retry policy covers sends it back to the queue for another attempt after
 * a backoff (noted in its log); anything else is recorded as its final failure.
 */
final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  /** When and as which attempt a failed execution runs again. */
  record Retry(Instant notBefore, int attempt) {}

  private final EngineContext ctx;
  private final LocalState local;
  private final RandomGenerator random = new SplittableRandom();

  Failures(EngineContext ctx, LocalState local) {
    this.ctx = ctx;
    this.local = local;
  }

  /**
   * Records the execution for another attempt when its retry policy covers {@code e} (and it was
   * not fed stdin, which cannot be read twice), returning when and as which attempt it runs;
   * else records the failure and returns {@code null}.
   */
  Retry retryOrFail(ExecutionId id, BackendUnavailableException e) {
    FailureKind kind = kindOf(e);
    try {
      ExecutionRecord current = ctx.store().get(id);
      RetryPolicy policy = current.spec().retry();
      if (current.status() != ExecutionStatus.RUNNING || local.stdin(id) != null
          || !policy.retries(kind, current.attempt())) {
        fail(id, e);
        return null;
      }
      int next = current.attempt() + 1;
      Duration delay = policy.delayBefore(current.attempt(), random);
      Instant now = ctx.clock().instant();
      FailureReason reason = new FailureReason(kind, String.valueOf(e.getMessage()),
          e.hint().orElse(null));
      ExecutionRecord queued = ctx.store().update(id, Set.of(ExecutionStatus.RUNNING),
          r -> Prices.costed(r, r.toBuilder().failure(reason).workerId(null).attempt(next)
              .transition(ExecutionStatus.QUEUED, now).build(), ctx.workerId(),
              ctx.hourlyMicros()));
      ctx.store().appendLogs(id, List.of(new LogLine(ctx.store().lastLogSeq(id) + 1,
          LogStream.SYSTEM, now, "[rgrid] attempt " + current.attempt() + " failed ("
              + kind.code() + ": " + e.getMessage() + "); retrying in "
              + ExecutionRunner.human(delay) + " (attempt " + next + " of "
              + policy.maxAttempts() + ")")));
      local.publish(queued);
      return new Retry(now.plus(delay), next);
    } catch (RuntimeException again) {
      again.addSuppressed(e);
      LOG.error("could not queue {} for another attempt", id, again);
      fail(id, e);
      return null;
    }
  }

  /** Records {@code e} as the execution's final failure (logging when even that fails). */
  void fail(ExecutionId id, RuntimeException e) {
    FailureKind kind = kindOf(e);
    String hint = e instanceof RGridException r && r.hint().isPresent() ? r.hint().get()
        : "this is a defect in RGrid; please report it with the output of `rgrid status " + id
            + " --json`";
    try {
      ExecutionRecord done = ctx.store().update(id,
          Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED),
          r -> Prices.costed(r, r.toBuilder().failure(new FailureReason(kind,
              String.valueOf(e.getMessage()), hint))
              .transition(ExecutionStatus.FAILED, ctx.clock().instant()).build(), ctx.workerId(),
              ctx.hourlyMicros()));
      local.publish(done);
    } catch (RuntimeException again) {
      again.addSuppressed(e);
      LOG.error("could not record the failure of {}", id, again);
    }
  }

  static FailureKind kindOf(RuntimeException e) {
    return e instanceof ContainerStartException ? FailureKind.START_FAILED
        : e instanceof BackendUnavailableException ? FailureKind.BACKEND_UNAVAILABLE
        : FailureKind.INTERNAL;
  }
}
