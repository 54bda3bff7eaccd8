package dev.rgrid.core.internal.execution;

import dev.rgrid.core.internal.cost.WorkerPrice;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.runtime.ContainerStartException;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
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
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  /** When and as which attempt a failed execution runs again. */
  record Retry(Instant notBefore, int attempt) {
    /**
     * Nothing could be recorded (the store is unreachable): the claim must be neither completed
     * nor given back, so the worker's heartbeat hands it back once the store answers and whoever
     * claims it finds the record as it was (still running) and runs it again.
     */
    static final Retry UNRECORDED = new Retry(null, 0);
  }

  private final MetadataStore store;
  private final Clock clock;
  private final LocalState local;
  private final WorkerPrice price;
  private final RandomGenerator random = new SplittableRandom();

  /**
   * Failures of the executions in {@code store} run by {@code price}'s worker (each attempt costed
   * at its price), told to the waiters in {@code local}.
   */
  public Failures(MetadataStore store, Clock clock, LocalState local, WorkerPrice price) {
    this.store = store;
    this.clock = clock;
    this.local = local;
    this.price = price;
  }

  /**
   * Records the execution for another attempt when its retry policy covers {@code e} (and it was
   * not fed stdin, which cannot be read twice), returning when and as which attempt it runs;
   * else records the failure and returns {@code null}. Both writes are fenced by {@code attempt}:
   * an execution another worker took over is left alone ({@link Retry#UNRECORDED}).
   */
  Retry retryOrFail(ExecutionId id, int attempt, BackendUnavailableException e) {
    FailureKind kind = kindOf(e);
    try {
      ExecutionRecord current = store.get(id);
      RetryPolicy policy = current.spec().retry();
      if (current.status().isTerminal()) {
        return null; // it ended meanwhile: its queue entry is simply done
      }
      if (current.status() == ExecutionStatus.QUEUED) {
        // It never started (the store failed while starting it): not an attempt that failed, so
        // it goes back to the queue as it was.
        return new Retry(clock.instant(), current.attempt());
      }
      if (local.stdin(id) != null || !policy.retries(kind, current.attempt())
          || e instanceof ContainerStartException s && s.refusedSettings()) {
        return fail(id, attempt, e) ? null : Retry.UNRECORDED;
      }
      int next = current.attempt() + 1;
      Duration delay = policy.delayBefore(current.attempt(), random);
      Instant now = clock.instant();
      FailureReason reason = new FailureReason(kind, String.valueOf(e.getMessage()),
          e.hint().orElse(null));
      ExecutionRecord queued = store.update(id, Set.of(ExecutionStatus.RUNNING),
          Fence.guard(attempt, price.worker(), r -> price.costed(r, r.toBuilder()
              .failure(reason).workerId(null).attempt(next)
              .transition(ExecutionStatus.QUEUED, now).build())));
      store.appendLogs(id, List.of(new LogLine(store.lastLogSeq(id) + 1,
          LogStream.SYSTEM, now, "[rgrid] attempt " + current.attempt() + " failed ("
              + kind.code() + ": " + e.getMessage() + "); retrying in "
              + human(delay) + " (attempt " + next + " of "
              + policy.maxAttempts() + ")")));
      local.publish(queued);
      return new Retry(now.plus(delay), next);
    } catch (Fence.TakenOverException takenOver) {
      LOG.warn("{}; not retried from here", takenOver.getMessage());
      return Retry.UNRECORDED;
    } catch (BackendUnavailableException again) {
      // Recording a failure of the store needs the store: leave the claim to be handed back
      // (and the execution run again) once it answers, rather than fail it for good.
      LOG.warn("could not record the end of {} ({}); it is handed back once the store answers",
          id, again.getMessage());
      return Retry.UNRECORDED;
    } catch (RuntimeException again) {
      again.addSuppressed(e);
      LOG.error("could not queue {} for another attempt", id, again);
      return fail(id, attempt, e) ? null : Retry.UNRECORDED;
    }
  }

  /**
   * Records {@code e} as the final failure of the execution's {@code attempt}; nothing when
   * another worker has taken it over since.
   *
   * @return {@code false} when even that could not be recorded (logged)
   */
  boolean fail(ExecutionId id, int attempt, RuntimeException e) {
    return fail(id, attempt, e, null);
  }

  /**
   * As {@link #fail(ExecutionId, int, RuntimeException)}, recording the exit code of a script
   * that exited before RGrid failed ({@code null}: it did not exit on its own).
   */
  boolean fail(ExecutionId id, int attempt, RuntimeException e, Integer exitCode) {
    FailureReason reason = reasonOf(id, e);
    try {
      ExecutionRecord done = store.update(id,
          Set.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED),
          Fence.guard(attempt, price.worker(), r -> price.costed(r, r.toBuilder()
              .failure(reason).exitCode(exitCode)
              .transition(ExecutionStatus.FAILED, clock.instant()).build())));
      local.publish(done);
      return true;
    } catch (Fence.TakenOverException takenOver) {
      // Not ours to end: if it is still claimed by this worker (an odd state left by an outage),
      // the heartbeat hands it back; else its new holder ends it.
      LOG.warn("{}; its failure is not recorded from here", takenOver.getMessage());
      return false;
    } catch (ConflictException ended) {
      return true; // it ended meanwhile (cancelled, or finished by whoever took it over)
    } catch (StorageFullException again) {
      // The store's own disk is full: nothing can be recorded until space is freed. Whoever
      // waits here hears of the end anyway, rather than wait for a record that cannot change.
      LOG.warn("could not record the failure of {}: {}", id, again.getMessage());
      tellWaiters(id, reason, exitCode);
      return false;
    } catch (RuntimeException again) {
      again.addSuppressed(e);
      LOG.error("could not record the failure of {}", id, again);
      return false;
    }
  }

  /** Tells this instance's waiters of an end the store could not record. */
  private void tellWaiters(ExecutionId id, FailureReason reason, Integer exitCode) {
    try {
      local.publish(store.get(id).toBuilder().failure(reason).exitCode(exitCode)
          .transition(ExecutionStatus.FAILED, clock.instant()).build());
    } catch (RuntimeException unreadable) {
      LOG.warn("could not tell the waiters of {}: {}", id, unreadable.getMessage());
    }
  }

  /** The recorded reason for an attempt that failed with {@code e} inside RGrid. */
  static FailureReason reasonOf(ExecutionId id, RuntimeException e) {
    FailureKind kind = kindOf(e);
    String hint = e instanceof RGridException r && r.hint().isPresent() ? r.hint().get()
        : kind == FailureKind.DISK_FULL ? "free space on the disk named above, or move RGrid's "
            + "state to a bigger one (RGRID_HOME)"
        : "this is a defect in RGrid; please report it with the output of `rgrid status " + id
            + " --json`";
    return new FailureReason(kind, e instanceof RGridException && e.getMessage() != null
        ? e.getMessage() : summary(e), hint);
  }

  /** The reason for Python requirements that {@code runtime} could not install. */
  static FailureReason installFailure(RuntimeException e, String runtime) {
    List<String> lines = e instanceof DependencyInstallException d ? d.errorLines() : List.of();
    String message = e instanceof DependencyInstallException ? e.getMessage()
        : "the " + runtime + " runtime cannot install Python requirements";
    String hint = e instanceof DependencyInstallException d ? d.hint().orElse(null)
        : "run it with the Docker runtime or the process runtime";
    String firstError = lines.stream().filter(l -> l.startsWith("ERROR")).findFirst()
        .orElse(null);
    return new FailureReason(FailureKind.DEPENDENCY_INSTALL,
        firstError == null ? message : message + ": " + firstError, hint);
  }

  /** The messages of {@code e} and its causes, each once: an I/O error's reason is the cause's. */
  private static String summary(Throwable e) {
    StringBuilder sb = new StringBuilder();
    Set<Throwable> seen = Collections.newSetFromMap(
        new IdentityHashMap<>());
    for (Throwable c = e; c != null && seen.add(c); c = c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      if (sb.indexOf(m) < 0) {
        sb.append(sb.length() == 0 ? "" : ": ").append(m);
      }
    }
    return sb.toString();
  }

  static FailureKind kindOf(RuntimeException e) {
    return StorageFullException.isOutOfSpace(e) ? FailureKind.DISK_FULL
        : e instanceof ContainerStartException ? FailureKind.START_FAILED
        : e instanceof BackendUnavailableException ? FailureKind.BACKEND_UNAVAILABLE
        : FailureKind.INTERNAL;
  }

  /** A duration as a user writes it: {@code 30s}, {@code 5m}, {@code 2h}, {@code 1m30s}. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
    }
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s / 60 + "m" + s % 60 + "s";
  }
}
