package dev.rgrid.spi.runtime;

import java.util.List;

/**
 * Resource limits for one container; 0 means the runtime's default. Runtimes that do not isolate
 * may ignore them (their {@link RuntimeCapabilities} say so).
 *
 * @param milliCpus CPU share in thousandths of a CPU
 * @param memoryBytes memory limit
 * @param pids maximum number of processes
 * @param network whether the container may reach the network
 * @param constraints placement constraints, already checked ({@code node.labels.gpu==true}):
 *     only a runtime whose {@link RuntimeCapabilities#places()} is true is given any
 */
public record Limits(long milliCpus, long memoryBytes, long pids, boolean network,
    List<String> constraints) {
  /** The runtime's defaults, no network. */
  public static final Limits DEFAULT = new Limits(0, 0, 0, false);

  /** Limits without placement constraints. */
  public Limits(long milliCpus, long memoryBytes, long pids, boolean network) {
    this(milliCpus, memoryBytes, pids, network, List.of());
  }

  /** Copies the constraints ({@code null}: none). */
  public Limits {
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
  }
}
