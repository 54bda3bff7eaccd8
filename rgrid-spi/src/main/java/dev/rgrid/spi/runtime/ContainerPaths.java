package dev.rgrid.spi.runtime;

/**
 * Where the script sees its directories.
 *
 * @param workDir the working directory as seen by the script ({@code /work} in a container)
 * @param script the script's path as seen by the interpreter
 */
public record ContainerPaths(String workDir, String script) {}
