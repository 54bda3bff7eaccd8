package dev.rgrid.spi.blob;

import java.util.Objects;

/**
 * A stored blob.
 *
 * @param key its content address
 * @param size its length in bytes
 */
public record BlobInfo(BlobKey key, long size) {
  /** Checks the values. */
  public BlobInfo {
    Objects.requireNonNull(key, "key");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}
