package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One input of a batch and the execution that runs the script on it.
 *
 * @param index its position in the batch (inputs are sorted by path), from 0
 * @param input the input file on this machine
 * @param folder the sanitised, collision-free folder name its outputs go to under the output
 *     directory
 * @param executionId the execution running it, or {@code null} when it could not be submitted
 * @param error why it could not be submitted, or {@code null} when it was
 */
public record BatchItem(int index, Path input, String folder, ExecutionId executionId,
    String error) {

  /** Checks the values. */
  public BatchItem {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(folder, "folder");
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative");
    }
    if ((executionId == null) == (error == null)) {
      throw new IllegalArgumentException("an item has either an execution or an error");
    }
  }
}
