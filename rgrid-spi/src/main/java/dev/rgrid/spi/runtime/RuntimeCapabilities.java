package dev.rgrid.spi.runtime;

/**
 * What a container runtime can do.
 *
 * @param isolates whether scripts are isolated from the host (file system, network, users)
 * @param enforcesLimits whether CPU, memory and pids limits are enforced
 * @param localMounts whether host directories are mounted (else inputs and outputs are staged
 *     through the blob store by the container itself)
 */
public record RuntimeCapabilities(boolean isolates, boolean enforcesLimits, boolean localMounts) {}
