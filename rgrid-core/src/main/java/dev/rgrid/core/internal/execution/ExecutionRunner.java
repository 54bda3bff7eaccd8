package dev.rgrid.core.internal.execution;

import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.cost.HourlyBilling;
import dev.rgrid.core.internal.cost.Prices;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.runtime.Environments;
import dev.rgrid.core.internal.submit.InputResolver;
import dev.rgrid.core.internal.wiring.EngineContext;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed execution from start to end: marks it running, stages the script and inputs,
 * starts it, streams its output, enforces its timeout and cancellation, collects its outputs and
 * records how it ended.
 */
public final class ExecutionRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionRunner.class);
  private static final Duration SLICE = Duration.ofMillis(100);
  private static final Duration CANCEL_CHECK = Duration.ofMillis(250);
  private static final Duration KILL_GRACE = Duration.ofSeconds(30);

  private final EngineContext ctx;
  private final LocalState local;
  private final OutputCollector outputs;
  private final ResultCache cache;
  private final Environments environments;
  private final Failures failures;
  private final Spending spending;
  private final HourlyBilling billing;
  private final Workspace.Pool workspaces;
  private final LostAttempts lostAttempts;

  /**
   * A runner recording results in {@code cache} and costs in {@code spending} and {@code billing}
   * (null when the worker is not billed per started hour).
   */
  public ExecutionRunner(EngineContext ctx, LocalState local, ResultCache cache, Spending spending,
      HourlyBilling billing) {
    this.spending = spending;
    this.billing = billing;
    this.ctx = ctx;
    this.local = local;
    this.outputs = new OutputCollector(ctx.blobs(), ctx.limits());
    this.cache = cache;
    this.environments = new Environments(ctx.runtime(), ctx.packageIndex(), ctx.cacheDir());
    this.failures = new Failures(ctx, local);
    this.workspaces = new Workspace.Pool(ctx.workRoot());
    this.lostAttempts = new LostAttempts(ctx);
  }

  /** Deletes the workspaces kept for reuse; called once no execution runs. */
  public void close() {
    workspaces.clear();
  }

  /** How the process ended, seen from the engine. */
  private enum Ending { EXITED, TIMED_OUT, CANCELLED, LOST }

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
        if (billing != null) {
          billing.started(id, running.startedAt());
          ran = true;
        }
        execute(running, handle);
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
        billing.finished(id, ctx.clock().instant());
      }
      local.stopRunning(id);
      // A lost claim belongs to another worker now (or soon, once the lease lapses): leave it.
      if (!handle.lost() && !takenOver && retry != Failures.Retry.UNRECORDED) {
        if (retry != null) {
          ctx.queue().retry(id, ctx.workerId(), retry.notBefore(), retry.attempt());
        } else {
          ctx.queue().complete(id, ctx.workerId());
        }
      }
    }
  }

  /** Moves the execution to RUNNING for this attempt, or returns null when there is nothing to do. */
  private ExecutionRecord begin(Claim claim) {
    try {
      // The usual case, QUEUED, in one compare-and-set: no read before it.
      return toRunning(claim);
    } catch (ConflictException e) {
      // Not QUEUED: ended meanwhile (cancelled), or RUNNING under a worker that was lost.
    }
    ExecutionId id = claim.executionId();
    ExecutionRecord current = ctx.store().get(id);
    if (current.status().isTerminal()) {
      return null;
    }
    Instant now = ctx.clock().instant();
    if (current.status() == ExecutionStatus.RUNNING) {
      // Its worker was lost: record the requeue, or give up after the last attempt the run's
      // retry policy (and this instance's own cap) allows.
      dev.rgrid.spi.store.RetryPolicy policy = current.spec().retry();
      int allowed = Math.min(ctx.maxAttempts(),
          policy.retryOn().contains(FailureKind.WORKER_LOST) ? policy.maxAttempts() : 1);
      // Said in its log first, so the lost attempt's output never ends in a silent gap.
      lostAttempts.mark(current, claim.attempt(), allowed, now);
      if (claim.attempt() > allowed) {
        finish(current, claim.attempt(), b -> b.failure(new FailureReason(
            FailureKind.WORKER_LOST, "the worker running it (" + current.workerId()
            + ") stopped answering, " + allowed + " attempt" + (allowed == 1 ? "" : "s")
            + " in all", "run it again with `rgrid retry " + id + "`"))
            .transition(ExecutionStatus.FAILED, now));
        return null;
      }
      publish(ctx.store().update(id, Set.of(ExecutionStatus.RUNNING), r -> r.toBuilder()
          .attempt(claim.attempt()).workerId(null).transition(ExecutionStatus.QUEUED, now).build()));
    }
    try {
      return toRunning(claim);
    } catch (ConflictException e) {
      return null; // cancelled between the claim and now
    }
  }

  /** QUEUED to RUNNING by this worker for the claim's attempt. */
  private ExecutionRecord toRunning(Claim claim) {
    Instant now = ctx.clock().instant();
    ExecutionRecord running = ctx.store().update(claim.executionId(),
        Set.of(ExecutionStatus.QUEUED), r -> r.toBuilder().attempt(claim.attempt())
            .workerId(ctx.workerId()).startedAt(now).finishedAt(null).exitCode(null)
            .failure(null).transition(ExecutionStatus.RUNNING, now).build());
    publish(running);
    return running;
  }

  /**
   * Whether this is the first time the execution runs, so no log line can be stored yet: lines
   * are written only while running (notes of a failed attempt come after a RUNNING too).
   */
  private static boolean firstRun(ExecutionRecord running) {
    return running.attempt() == 1 && running.transitions().stream()
        .filter(t -> t.status() == ExecutionStatus.RUNNING).count() == 1;
  }

  private void execute(ExecutionRecord record, LocalState.Running handle) {
    ExecutionId id = record.id();
    ExecutionSpec spec = record.spec();
    RuntimeDefinition def;
    try {
      def = ctx.catalog().resolve(spec.runtime());
      ctx.runtime().prepare(def);
    } catch (RuntimeUnavailableException | dev.rgrid.core.InvalidRunSpecException e) {
      finish(record, b -> b.failure(new FailureReason(FailureKind.RUNTIME_UNAVAILABLE,
          e.getMessage(), e.hint().orElse(null))).transition(ExecutionStatus.FAILED, ctx.clock().instant()));
      return;
    }
    // Phase timings for `-Dorg.slf4j.simpleLogger.log.dev.rgrid=debug` (see docs/benchmarks.md).
    long t0 = System.nanoTime();
    long started;
    long exited;
    try (Workspace ws = workspaces.take()) {
      LogCollector logs = new LogCollector(id, ctx, local.listener(id), ws.tmpDir(),
          firstRun(record));
      try {
        def = environments.prepare(def, spec.requirements(), logs::note);
      } catch (DependencyInstallException | UnsupportedOperationException e) {
        failInstall(record, e, logs);
        return;
      }
      ws.stage(ctx.blobs(), spec.scriptName(), spec.script(), spec.inputs());
      ws.stageBesideScript(ctx.blobs(), spec.scriptFiles());
      long staged = System.nanoTime();
      ContainerPaths paths = ctx.runtime().paths(ws.workDir(), ws.scriptDir(), spec.scriptName());
      ContainerSpec cs = new ContainerSpec(id.value() + "-" + record.attempt(), def,
          ws.scriptDir(), spec.scriptName(), ws.workDir(),
          InputResolver.atWorkDir(spec.args(), spec.inputs(), paths.workDir()), spec.env(),
          new Limits(spec.resources().milliCpus(), spec.resources().memoryBytes(), 0,
              spec.network()),
          Map.of(LostAttempts.EXECUTION, id.value(), LostAttempts.WORKER, ctx.workerId().value(),
              LostAttempts.ATTEMPT, Integer.toString(record.attempt())),
          local.stdin(id));
      Ending ending;
      Optional<ExitResult> exit;
      try (Container container = ctx.runtime().start(cs, logs)) {
        started = System.nanoTime();
        handle.attach(container);
        exit = Optional.empty();
        ending = null;
        Instant deadline = ctx.clock().instant().plus(spec.timeout());
        Instant nextCancelCheck = ctx.clock().instant().plus(CANCEL_CHECK);
        while (ending == null) {
          Instant now = ctx.clock().instant();
          if (handle.lost()) {
            ending = Ending.LOST;
          } else if (handle.cancelled()) {
            ending = Ending.CANCELLED;
          } else if (!now.isBefore(deadline)) {
            ending = Ending.TIMED_OUT;
          } else {
            Duration left = Duration.between(now, deadline);
            exit = container.await(left.compareTo(SLICE) < 0 ? left : SLICE);
            if (exit.isPresent()) {
              // A kill by cancel or by a lost lease also ends the process: say why it ended.
              ending = handle.lost() ? Ending.LOST
                  : handle.cancelled() ? Ending.CANCELLED : Ending.EXITED;
            } else {
              logs.flushIfDue();
              if (!now.isBefore(nextCancelCheck)) {
                nextCancelCheck = now.plus(CANCEL_CHECK);
                if (ctx.store().get(id).cancelRequested()) {
                  handle.cancel();
                }
              }
            }
          }
        }
        if (ending != Ending.EXITED) {
          container.kill();
          container.await(KILL_GRACE);
        } else {
          handle.exited(exit.orElseThrow().exitCode());
        }
        exited = System.nanoTime();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        logs.discard();
        throw new RGridException("interrupted while running " + id, null, id.value(), e);
      }
      if (ending == Ending.LOST) {
        logs.discard();
        LOG.warn("stopped {}: {}", id, handle.why());
        return;
      }
      LogCollector.Captured captured = logs.finish();
      finishRun(record, ending, exit, captured, ws, logs);
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} timings: stage {} ms, start {} ms, script {} ms, collect {} ms", id,
            ms(staged - t0), ms(started - staged), ms(exited - started),
            ms(System.nanoTime() - exited));
      }
    }
  }

  private void finishRun(ExecutionRecord record, Ending ending, Optional<ExitResult> exit,
      LogCollector.Captured captured, Workspace ws, LogCollector logs) {
    ExecutionId id = record.id();
    Instant now = ctx.clock().instant();
    if (ending == Ending.CANCELLED) {
      finish(record, b -> captured(b, captured).failure(new FailureReason(FailureKind.CANCELLED,
          "cancelled while running", null)).transition(ExecutionStatus.CANCELLED, now));
      return;
    }
    if (ending == Ending.TIMED_OUT) {
      finish(record, b -> captured(b, captured).failure(new FailureReason(FailureKind.TIMEOUT,
          "ran longer than its timeout of " + Failures.human(record.spec().timeout()) + " and was killed",
          "pass a longer --timeout if it needs more time"))
          .transition(ExecutionStatus.TIMED_OUT, now));
      return;
    }
    ExitResult result = exit.orElseThrow();
    List<dev.rgrid.spi.store.Artifact> artifacts = List.of();
    FailureReason failure = null;
    try {
      OutputCollector.Collected collected = outputs.collect(ws.workDir(), record.spec().inputs());
      artifacts = collected.artifacts();
      if (!collected.skipped().isEmpty()) {
        logs.note("not collected as outputs: " + String.join(", ", collected.skipped()));
      }
    } catch (OutputLimitException e) {
      failure = new FailureReason(FailureKind.OUTPUT_LIMIT, e.getMessage(), e.hint().orElse(null));
    }
    if (record.attempt() > 1) {
      // An earlier attempt may have recorded its outputs before its worker was lost.
      ctx.store().removeArtifacts(id);
    }
    if (!artifacts.isEmpty()) {
      ctx.store().putArtifacts(id, artifacts);
    }
    if (result.oomKilled()) {
      failure = new FailureReason(FailureKind.OUT_OF_MEMORY, "the script used more memory than "
          + "its limit and was killed", "pass a larger --memory, or use less memory");
    } else if (result.exitCode() != 0) {
      failure = new FailureReason(FailureKind.SCRIPT_EXIT, "the script exited with code "
          + result.exitCode(), "see its output with `rgrid logs " + id + "`");
    }
    FailureReason f = failure;
    ExecutionStatus status = f == null ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
    List<dev.rgrid.spi.store.Artifact> collected = artifacts;
    ExecutionRecord done = ctx.store().update(id,
        Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED), Fence.guard(record.attempt(),
            ctx.workerId(), r -> costed(r, captured(r.toBuilder(), captured)
                .exitCode(result.exitCode()).failure(f).transition(status, now).build())));
    try {
      // Before anyone hears of the end, so that an identical run submitted right after it
      // finds the entry.
      cache.remember(done, collected);
    } catch (RuntimeException e) {
      // The run itself succeeded and is recorded; only its reuse is lost.
      LOG.warn("could not keep {} in the result cache: {}", id, e.getMessage());
    }
    publish(done);
  }

  private void failInstall(ExecutionRecord record, RuntimeException e, LogCollector logs) {
    if (e instanceof DependencyInstallException d) {
      d.errorLines().forEach(logs::note);
    }
    LogCollector.Captured captured = logs.finish();
    FailureReason reason = Failures.installFailure(e, ctx.runtime().name());
    finish(record, b -> captured(b, captured).failure(reason).transition(ExecutionStatus.FAILED,
        ctx.clock().instant()));
  }

  private static ExecutionRecord.Builder captured(ExecutionRecord.Builder b,
      LogCollector.Captured c) {
    return b.logTruncated(c.truncated()).stdout(c.stdout()).stderr(c.stderr());
  }

  /** Records this attempt's terminal state from RUNNING (or QUEUED) and tells local listeners. */
  private void finish(ExecutionRecord mine,
      java.util.function.UnaryOperator<ExecutionRecord.Builder> change) {
    finish(mine, mine.attempt(), change);
  }

  /** Records a terminal state, fenced by {@code attempt} unless it ends a lost worker's run. */
  private void finish(ExecutionRecord mine, int attempt,
      java.util.function.UnaryOperator<ExecutionRecord.Builder> change) {
    java.util.function.UnaryOperator<ExecutionRecord> write =
        r -> costed(r, change.apply(r.toBuilder()).build());
    // A lost worker's execution is ended by whoever found it lost: that is no takeover.
    ExecutionRecord done = ctx.store().update(mine.id(),
        Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED), attempt > mine.attempt() ? write
            : Fence.guard(attempt, ctx.workerId(), write));
    publish(done);
  }

  private ExecutionRecord costed(ExecutionRecord before, ExecutionRecord next) {
    return Prices.costed(before, next, ctx.workerId(), ctx.hourlyMicros());
  }

  private void publish(ExecutionRecord record) {
    if (billing != null && record.status().isTerminal()) {
      // The end as recorded, not when this thread gets here: the clock may have moved on.
      billing.finished(record.id(), record.finishedAt() != null ? record.finishedAt()
          : record.transitions().get(record.transitions().size() - 1).at());
    }
    if (record.status().isTerminal()) {
      spending.afterCost(record); // before listeners hear of the end, like the cache entry
    }
    local.publish(record);
  }

  private static String ms(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }
}
