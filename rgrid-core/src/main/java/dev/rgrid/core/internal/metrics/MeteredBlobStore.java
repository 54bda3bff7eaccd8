package dev.rgrid.core.internal.metrics;

import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.ForwardingBlobStore;
import java.io.InputStream;

/**
 * A blob store that counts the bytes put into it. It wraps the store every part of one instance
 * uses (the engine, and a server's blob routes through {@code LocalRGrid.blobStore()}), so each
 * put is counted once whoever makes it. It does not own the store: closing it closes nothing.
 */
public final class MeteredBlobStore extends ForwardingBlobStore {
  private final EngineMetrics metrics;

  private MeteredBlobStore(BlobStore delegate, EngineMetrics metrics) {
    super(delegate);
    this.metrics = metrics;
  }

  /** {@code store} counted into {@code metrics}, or {@code store} itself when they are off. */
  public static BlobStore wrap(BlobStore store, EngineMetrics metrics) {
    return metrics.enabled() ? new MeteredBlobStore(store, metrics) : store;
  }

  @Override
  public BlobInfo put(InputStream content) {
    BlobInfo info = super.put(content);
    metrics.blobStored(info.size());
    return info;
  }
}
