package dev.rgrid.core.pipeline;

import dev.rgrid.spi.store.ExecutionStatus;
import java.util.List;
import java.util.Optional;

/**
 * Where a stored pipeline stands: each of its steps, in the order they were submitted.
 *
 * @param id the pipeline
 * @param source the file it was read from, when it was recorded, else {@code null}
 * @param steps each step's latest state
 */
public record PipelineStatus(PipelineId id, String source, List<StepState> steps) {
  /** Copies the steps. */
  public PipelineStatus {
    steps = List.copyOf(steps);
  }

  /** The state of step {@code name}, if it has runs. */
  public Optional<StepState> step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Whether every step has ended. */
  public boolean ended() {
    return steps.stream().allMatch(StepState::ended);
  }

  /** Whether every step succeeded. */
  public boolean succeeded() {
    return steps.stream().allMatch(s -> s.status() == ExecutionStatus.SUCCEEDED);
  }

  /** How many steps have {@code status}. */
  public long count(ExecutionStatus status) {
    return steps.stream().filter(s -> s.status() == status).count();
  }
}
