package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything known about one execution, as stored. Values, never mutated: changes go through
 * {@link MetadataStore#update} with a new record made by {@link #toBuilder()}.
 *
 * @param id its id
 * @param spec what it runs
 * @param status its current status
 * @param createdAt when it was submitted
 * @param transitions every status change so far, oldest first, the first being {@code QUEUED}
 *     (or {@code WAITING} for a run with parents)
 * @param attempt the current attempt number, from 1
 * @param workerId the worker that runs or ran it, or {@code null}
 * @param exitCode the script's exit code once it exited, or {@code null}
 * @param failure why it did not succeed, or {@code null}
 * @param startedAt when the script started (latest attempt), or {@code null}
 * @param finishedAt when it reached a terminal status, or {@code null}
 * @param cancelRequested whether someone asked to cancel it while it runs
 * @param logTruncated whether the stored log hit its size cap
 * @param stdout the exact bytes of standard output (capped), or {@code null}
 * @param stderr the exact bytes of standard error (capped), or {@code null}
 * @param cached whether this result was reused from an earlier execution
 * @param cachedFrom the execution whose result was reused, or {@code null}
 * @param costMicros its cost in micros (1 EUR = 1,000,000)
 * @param cacheKey the result cache key of what it ran, or {@code null} when it is not cacheable
 * @param retryOf the execution this one retries (by hand: {@code rgrid retry}), or {@code null}
 * @param retriedBy the execution that retries this one, or {@code null}
 */
public record ExecutionRecord(
    ExecutionId id,
    ExecutionSpec spec,
    ExecutionStatus status,
    Instant createdAt,
    List<StatusTransition> transitions,
    int attempt,
    WorkerId workerId,
    Integer exitCode,
    FailureReason failure,
    Instant startedAt,
    Instant finishedAt,
    boolean cancelRequested,
    boolean logTruncated,
    BlobKey stdout,
    BlobKey stderr,
    boolean cached,
    ExecutionId cachedFrom,
    long costMicros,
    String cacheKey,
    ExecutionId retryOf,
    ExecutionId retriedBy) {

  /** Checks the required values and makes the transition list immutable. */
  public ExecutionRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    transitions = List.copyOf(transitions);
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt < 1");
    }
  }

  /** A new record in status {@code QUEUED}, created at {@code now}. */
  public static ExecutionRecord queued(ExecutionId id, ExecutionSpec spec, Instant now) {
    return new ExecutionRecord(id, spec, ExecutionStatus.QUEUED, now,
        List.of(new StatusTransition(ExecutionStatus.QUEUED, now, 1)), 1, null, null, null,
        null, null, false, false, null, null, false, null, 0, null, null, null);
  }

  /** A new record in status {@code WAITING} (a run with parents), created at {@code now}. */
  public static ExecutionRecord waiting(ExecutionId id, ExecutionSpec spec, Instant now) {
    return new ExecutionRecord(id, spec, ExecutionStatus.WAITING, now,
        List.of(new StatusTransition(ExecutionStatus.WAITING, now, 1)), 1, null, null, null,
        null, null, false, false, null, null, false, null, 0, null, null, null);
  }

  /** How long the script ran (latest attempt), when it has started and finished. */
  public Optional<Duration> duration() {
    if (startedAt == null || finishedAt == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(startedAt, finishedAt));
  }

  /** A builder holding this record's values, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Derives changed copies of a record; each setter is named after the component. */
  public static final class Builder {
    private final ExecutionId id;
    private final ExecutionSpec spec;
    private final Instant createdAt;
    private ExecutionStatus status;
    private final List<StatusTransition> transitions;
    private int attempt;
    private WorkerId workerId;
    private Integer exitCode;
    private FailureReason failure;
    private Instant startedAt;
    private Instant finishedAt;
    private boolean cancelRequested;
    private boolean logTruncated;
    private BlobKey stdout;
    private BlobKey stderr;
    private boolean cached;
    private ExecutionId cachedFrom;
    private long costMicros;
    private String cacheKey;
    private ExecutionId retryOf;
    private ExecutionId retriedBy;

    private Builder(ExecutionRecord r) {
      id = r.id;
      spec = r.spec;
      createdAt = r.createdAt;
      status = r.status;
      transitions = new ArrayList<>(r.transitions);
      attempt = r.attempt;
      workerId = r.workerId;
      exitCode = r.exitCode;
      failure = r.failure;
      startedAt = r.startedAt;
      finishedAt = r.finishedAt;
      cancelRequested = r.cancelRequested;
      logTruncated = r.logTruncated;
      stdout = r.stdout;
      stderr = r.stderr;
      cached = r.cached;
      cachedFrom = r.cachedFrom;
      costMicros = r.costMicros;
      cacheKey = r.cacheKey;
      retryOf = r.retryOf;
      retriedBy = r.retriedBy;
    }

    /** Enters {@code next} at {@code at}, recording the transition; sets finishedAt if terminal. */
    public Builder transition(ExecutionStatus next, Instant at) {
      status = next;
      transitions.add(new StatusTransition(next, at, attempt));
      if (next.isTerminal()) {
        finishedAt = at;
      }
      return this;
    }

    /** Sets the attempt number. */
    public Builder attempt(int value) {
      attempt = value;
      return this;
    }

    /** Sets the worker. */
    public Builder workerId(WorkerId value) {
      workerId = value;
      return this;
    }

    /** Sets the exit code. */
    public Builder exitCode(Integer value) {
      exitCode = value;
      return this;
    }

    /** Sets the failure reason. */
    public Builder failure(FailureReason value) {
      failure = value;
      return this;
    }

    /** Sets the start time. */
    public Builder startedAt(Instant value) {
      startedAt = value;
      return this;
    }

    /** Sets the finish time. */
    public Builder finishedAt(Instant value) {
      finishedAt = value;
      return this;
    }

    /** Sets the cancel request flag. */
    public Builder cancelRequested(boolean value) {
      cancelRequested = value;
      return this;
    }

    /** Sets the truncation flag. */
    public Builder logTruncated(boolean value) {
      logTruncated = value;
      return this;
    }

    /** Sets the stdout bytes. */
    public Builder stdout(BlobKey value) {
      stdout = value;
      return this;
    }

    /** Sets the stderr bytes. */
    public Builder stderr(BlobKey value) {
      stderr = value;
      return this;
    }

    /** Marks the result as reused from {@code from}. */
    public Builder cachedFrom(ExecutionId from) {
      cached = from != null;
      cachedFrom = from;
      return this;
    }

    /** Sets the cost. */
    public Builder costMicros(long value) {
      costMicros = value;
      return this;
    }

    /** Sets the result cache key. */
    public Builder cacheKey(String value) {
      cacheKey = value;
      return this;
    }

    /** Sets the execution this one retries. */
    public Builder retryOf(ExecutionId value) {
      retryOf = value;
      return this;
    }

    /** Sets the execution that retries this one. */
    public Builder retriedBy(ExecutionId value) {
      retriedBy = value;
      return this;
    }

    /** The changed record. */
    public ExecutionRecord build() {
      return new ExecutionRecord(id, spec, status, createdAt, transitions, attempt, workerId,
          exitCode, failure, startedAt, finishedAt, cancelRequested, logTruncated, stdout, stderr,
          cached, cachedFrom, costMicros, cacheKey, retryOf, retriedBy);
    }
  }
}
