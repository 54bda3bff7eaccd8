package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import java.util.List;
import java.util.Objects;

/**
 * The blobs a page of executions use ({@link RetentionStore#blobReferences}); a key may appear
 * more than once.
 *
 * @param keys the blobs
 * @param last the last execution of the page, where the next page starts; {@code null} when this
 *     was the last page
 */
public record BlobReferences(List<BlobKey> keys, ExecutionId last) {
  /** Checks the values. */
  public BlobReferences {
    keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
  }
}
