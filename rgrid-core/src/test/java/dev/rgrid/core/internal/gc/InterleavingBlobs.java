package dev.rgrid.core.internal.gc;

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
 * A blob store that runs the test's steps just before and just after the collector discards:
 * the moments where a put or a lookup by a submission would race with it.
 */
final class InterleavingBlobs implements BlobStore {
  private final BlobStore store;
  volatile Runnable beforeDiscard = () -> { };
  volatile Runnable afterDiscard = () -> { };

  InterleavingBlobs(BlobStore store) {
    this.store = store;
  }

  @Override
  public int discard(Collection<BlobKey> keys) {
    beforeDiscard.run();
    int n = store.discard(keys);
    afterDiscard.run();
    return n;
  }

  @Override
  public BlobInfo put(InputStream content) {
    return store.put(content);
  }

  @Override
  public InputStream open(BlobKey key) {
    return store.open(key);
  }

  @Override
  public boolean exists(BlobKey key) {
    return store.exists(key);
  }

  @Override
  public Optional<Long> size(BlobKey key) {
    return store.size(key);
  }

  @Override
  public boolean delete(BlobKey key) {
    return store.delete(key);
  }

  @Override
  public List<StoredBlob> list(BlobKey after, int limit) {
    return store.list(after, limit);
  }

  @Override
  public List<StoredBlob> discarded(BlobKey after, int limit) {
    return store.discarded(after, limit);
  }

  @Override
  public boolean restore(BlobKey key) {
    return store.restore(key);
  }

  @Override
  public void purge(Collection<BlobKey> keys) {
    store.purge(keys);
  }

  @Override
  public BlobCapabilities capabilities() {
    return store.capabilities();
  }
}
