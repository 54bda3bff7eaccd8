package dev.rgrid.spi.store;

import dev.rgrid.spi.blob.BlobKey;
import java.util.Objects;

/**
 * A file staged into the working directory before the script starts.
 *
 * @param path its path relative to the working directory ({@code /}-separated, no {@code ..})
 * @param blob its content
 * @param size its length in bytes
 */
public record InputFile(String path, BlobKey blob, long size) {
  /** Checks the path is a safe relative path. */
  public InputFile {
    RelativePaths.requireSafe(path);
    Objects.requireNonNull(blob, "blob");
  }
}
