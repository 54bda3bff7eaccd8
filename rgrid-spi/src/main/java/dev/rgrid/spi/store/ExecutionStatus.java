package dev.rgrid.spi.store;

/**
 * Where an execution is in its life: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT |
 * CANCELLED}. A run lost with its worker goes from {@code RUNNING} back to {@code QUEUED}.
 */
public enum ExecutionStatus {
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
  CANCELLED;

  /** Whether the execution has ended and will not change status again. */
  public boolean isTerminal() {
    return this != QUEUED && this != RUNNING;
  }
}
