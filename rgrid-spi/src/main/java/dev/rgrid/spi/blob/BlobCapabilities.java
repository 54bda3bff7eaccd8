package dev.rgrid.spi.blob;

/**
 * Optional features of a blob store.
 *
 * @param presignedUrls whether the store can hand out time-limited URLs for direct upload/download
 * @param collectable whether the store lists its blobs and discards, restores and purges them
 *     (what garbage collection needs: {@link BlobStore#list} and the methods after it)
 */
public record BlobCapabilities(boolean presignedUrls, boolean collectable) {
  /** A store with no optional feature. */
  public static final BlobCapabilities NONE = new BlobCapabilities(false, false);

  /** A store that is not collectable. */
  public BlobCapabilities(boolean presignedUrls) {
    this(presignedUrls, false);
  }
}
