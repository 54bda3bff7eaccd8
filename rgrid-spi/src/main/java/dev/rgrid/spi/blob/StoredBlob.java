package dev.rgrid.spi.blob;

import java.time.Instant;
import java.util.Objects;

/**
 * A blob as a listing shows it ({@link BlobStore#list}, {@link BlobStore#discarded}).
 *
 * @param key its content address
 * @param size its length in bytes
 * @param lastModified when it was last stored or confirmed present (for a discarded blob: when it
 *     was discarded)
 */
public record StoredBlob(BlobKey key, long size, Instant lastModified) {
  /** Checks the values. */
  public StoredBlob {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(lastModified, "lastModified");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}
