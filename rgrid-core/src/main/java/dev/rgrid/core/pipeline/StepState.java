package dev.rgrid.core.pipeline;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where one step of a stored pipeline stands: its latest run (or, for a batch step, the latest
 * run of each input of its latest batch) and the status they add up to.
 *
 * @param name the step's name
 * @param status the step's status: the run's own, or for a batch the most pressing of its runs'
 *     (running or waiting before ended; then failed, timed out, cancelled, skipped; succeeded
 *     only when every run did)
 * @param runs the latest runs, oldest first
 * @param batchId the batch of a batch step, or {@code null}
 */
public record StepState(String name, ExecutionStatus status, List<ExecutionRecord> runs,
    String batchId) {
  /** Copies the runs. */
  public StepState {
    runs = List.copyOf(runs);
  }

  /** Whether every run has ended. */
  public boolean ended() {
    return status.isTerminal();
  }

  /** Whether every run succeeded from the cache, without running. */
  public boolean cached() {
    return status == ExecutionStatus.SUCCEEDED && runs.stream().allMatch(ExecutionRecord::cached);
  }

  /** How many runs have each status. */
  public Map<ExecutionStatus, Integer> counts() {
    Map<ExecutionStatus, Integer> counts = new EnumMap<>(ExecutionStatus.class);
    runs.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    return counts;
  }

  /** The status a set of runs adds up to (see {@link #status()}). */
  static ExecutionStatus combined(List<ExecutionRecord> runs) {
    Map<ExecutionStatus, Integer> counts = new EnumMap<>(ExecutionStatus.class);
    runs.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    for (ExecutionStatus s : List.of(ExecutionStatus.RUNNING, ExecutionStatus.QUEUED,
        ExecutionStatus.WAITING, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT,
        ExecutionStatus.CANCELLED, ExecutionStatus.SKIPPED)) {
      if (counts.containsKey(s)) {
        return s;
      }
    }
    return ExecutionStatus.SUCCEEDED;
  }
}
