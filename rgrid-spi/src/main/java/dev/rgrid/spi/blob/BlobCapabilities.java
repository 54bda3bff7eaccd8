package dev.rgrid.spi.blob;

/**
 * Optional features of a blob store.
 *
 * @param presignedUrls whether the store can hand out time-limited URLs for direct upload/download
 */
public record BlobCapabilities(boolean presignedUrls) {
  /** A store with no optional feature. */
  public static final BlobCapabilities NONE = new BlobCapabilities(false);
}
