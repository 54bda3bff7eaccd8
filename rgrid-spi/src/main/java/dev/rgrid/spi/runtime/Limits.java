package dev.rgrid.spi.runtime;

/**
 * Resource limits for one container; 0 means the runtime's default. Runtimes that do not isolate
 * may ignore them (their {@link RuntimeCapabilities} say so).
 *
 * @param milliCpus CPU share in thousandths of a CPU
 * @param memoryBytes memory limit
 * @param pids maximum number of processes
 * @param network whether the container may reach the network
 */
public record Limits(long milliCpus, long memoryBytes, long pids, boolean network) {
  /** The runtime's defaults, no network. */
  public static final Limits DEFAULT = new Limits(0, 0, 0, false);
}
