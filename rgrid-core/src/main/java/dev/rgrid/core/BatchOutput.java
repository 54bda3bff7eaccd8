package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.util.Objects;

/**
 * One output of a stored batch, named as {@code rgrid download BATCH_ID} lays it out: the input's
 * folder, then the output's path in it.
 *
 * @param name {@code <input folder>/<output path>}, relative, with {@code /} separators
 * @param execution the execution that wrote it (the input's latest)
 * @param artifact the output
 */
public record BatchOutput(String name, ExecutionId execution, Artifact artifact) {
  /** Checks the values. */
  public BatchOutput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(execution, "execution");
    Objects.requireNonNull(artifact, "artifact");
  }
}
