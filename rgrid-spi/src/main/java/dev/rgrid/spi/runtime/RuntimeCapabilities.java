package dev.rgrid.spi.runtime;

/**
 * What a container runtime can do.
 *
 * @param isolates whether scripts are isolated from the host (file system, network, users)
 * @param enforcesLimits whether CPU, memory and pids limits are enforced
 * @param localMounts whether host directories are mounted (else inputs and outputs are staged
 *     through the blob store by the container itself)
 * @param places whether a scheduler chooses among several nodes for each run, honouring its
 *     placement constraints ({@link Limits#constraints()}); core refuses a run with constraints
 *     on a runtime that does not, rather than run it wherever it happens to be
 */
public record RuntimeCapabilities(boolean isolates, boolean enforcesLimits, boolean localMounts,
    boolean places) {
  /** A runtime that runs everything on its own machine. */
  public RuntimeCapabilities(boolean isolates, boolean enforcesLimits, boolean localMounts) {
    this(isolates, enforcesLimits, localMounts, false);
  }
}
