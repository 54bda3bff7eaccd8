package dev.rgrid.core.scale;

import java.util.List;
import java.util.Objects;

/**
 * One tick's decision.
 *
 * @param current the replicas the pool was told to run before
 * @param needed the replicas the queue needs now, within the policy's bounds
 * @param target the replicas to set: {@code needed} when scaling up, fewer surplus machines
 *     stopped when scaling down
 * @param reason why
 * @param retire the machines chosen to stop, nearest the end of their billed hour first (a pool
 *     that picks its own, as Swarm does, only gets the count)
 * @param why one line for the log: the numbers the decision came from
 */
public record ScaleDecision(int current, int needed, int target, ScaleReason reason,
    List<String> retire, String why) {
  /** Checks the values. */
  public ScaleDecision {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(why, "why");
    retire = List.copyOf(retire);
  }

  /** Whether the pool is told something new. */
  public boolean changes() {
    return target != current;
  }
}
