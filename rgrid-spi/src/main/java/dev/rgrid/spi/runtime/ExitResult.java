package dev.rgrid.spi.runtime;

/**
 * How a container's main process ended.
 *
 * @param exitCode its exit code (128 + signal when killed by a signal)
 * @param oomKilled whether the runtime killed it for exceeding its memory limit
 */
public record ExitResult(int exitCode, boolean oomKilled) {}
