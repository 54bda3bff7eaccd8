package dev.rgrid.core.internal.metrics;

import dev.rgrid.spi.blob.BlobCapabilities;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.StoredBlob;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A blob store that counts the bytes put into it. It wraps the store every part of one instance
 * uses (the engine, and a server's blob routes through {@code LocalRGrid.blobStore()}), so each
 * put is counted once whoever makes it. It does not own the store: closing it closes nothing.
 */
public final class MeteredBlobStore implements BlobStore {
  private final BlobStore delegate;
  private final EngineMetrics metrics;

  private MeteredBlobStore(BlobStore delegate, EngineMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  /** {@code store} counted into {@code metrics}, or {@code store} itself when they are off. */
  public static BlobStore wrap(BlobStore store, EngineMetrics metrics) {
    return metrics.enabled() ? new MeteredBlobStore(store, metrics) : store;
  }

  @Override
  public BlobInfo put(InputStream content) {
    BlobInfo info = delegate.put(content);
    metrics.blobStored(info.size());
    return info;
  }

  @Override
  public InputStream open(BlobKey key) {
    return delegate.open(key);
  }

  @Override
  public boolean exists(BlobKey key) {
    return delegate.exists(key);
  }

  @Override
  public Optional<Long> size(BlobKey key) {
    return delegate.size(key);
  }

  @Override
  public boolean delete(BlobKey key) {
    return delegate.delete(key);
  }

  // Garbage collection's operations: a wrapper that let them fall to the SPI's defaults would
  // say "collectable" (the delegate's capabilities) and then refuse to list.

  @Override
  public List<StoredBlob> list(BlobKey after, int limit) {
    return delegate.list(after, limit);
  }

  @Override
  public int discard(Collection<BlobKey> keys) {
    return delegate.discard(keys);
  }

  @Override
  public List<StoredBlob> discarded(BlobKey after, int limit) {
    return delegate.discarded(after, limit);
  }

  @Override
  public boolean restore(BlobKey key) {
    return delegate.restore(key);
  }

  @Override
  public void purge(Collection<BlobKey> keys) {
    delegate.purge(keys);
  }

  @Override
  public BlobCapabilities capabilities() {
    return delegate.capabilities();
  }
}
