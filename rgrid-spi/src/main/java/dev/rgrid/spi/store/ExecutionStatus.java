package dev.rgrid.spi.store;

/**
 * Where an execution is in its life: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT |
 * CANCELLED}. A run lost with its worker goes from {@code RUNNING} back to {@code QUEUED}. A run
 * that depends on others starts {@code WAITING}: it becomes {@code QUEUED} once every parent
 * succeeded, or ends {@code SKIPPED} without running when one did not.
 */
public enum ExecutionStatus {
  /** Waiting for its parents (the runs it depends on) to succeed. */
  WAITING,
  /** Waiting for a worker. */
  QUEUED,
  /** A worker is running it. */
  RUNNING,
  /** The script exited with code 0 (or a cached result was reused). */
  SUCCEEDED,
  /** The script exited non-zero, or RGrid could not run it; see the failure reason. */
  FAILED,
  /** The script ran longer than its timeout and was killed. */
  TIMED_OUT,
  /** Someone cancelled it. */
  CANCELLED,
  /** Never run: a parent it depends on did not succeed; the failure reason names that parent. */
  SKIPPED;

  /** Whether the execution has ended and will not change status again. */
  public boolean isTerminal() {
    return this != QUEUED && this != RUNNING && this != WAITING;
  }
}
