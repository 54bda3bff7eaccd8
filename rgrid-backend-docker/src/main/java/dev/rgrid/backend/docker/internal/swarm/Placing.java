package dev.rgrid.backend.docker.internal.swarm;

import java.time.Duration;
import java.util.Objects;

/**
 * What a swarm run needs to watch its placement: the swarm's nodes, this engine's own node, and
 * how long a task that no node's constraints match may stay pending.
 *
 * @param nodes the swarm's nodes
 * @param self this engine's node id (its tasks' containers are inspected here), or {@code null}
 * @param pendingLimit how long a task may wait for a node that meets its constraints
 */
public record Placing(Nodes nodes, String self, Duration pendingLimit) {
  /** Checks the values. */
  public Placing {
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(pendingLimit, "pendingLimit");
    if (pendingLimit.isNegative() || pendingLimit.isZero()) {
      throw new IllegalArgumentException("pendingLimit must be positive, was " + pendingLimit);
    }
  }
}
