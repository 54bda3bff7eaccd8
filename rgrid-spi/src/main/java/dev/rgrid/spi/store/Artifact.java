package dev.rgrid.spi.store;

import dev.rgrid.spi.blob.BlobKey;
import java.util.Objects;

/**
 * An output file collected from the working directory after the run.
 *
 * @param path its path relative to the working directory ({@code /}-separated, no {@code ..})
 * @param size its length in bytes
 * @param blob its content address (its SHA-256)
 */
public record Artifact(String path, long size, BlobKey blob) {
  /** Checks the path is a safe relative path. */
  public Artifact {
    RelativePaths.requireSafe(path);
    Objects.requireNonNull(blob, "blob");
  }
}
