package dev.rgrid.spi.blob;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A blob store that passes every operation to another: the base of wrappers that change one or
 * two (count the bytes put, run a step before a discard). Every method of {@link BlobStore} is
 * forwarded here, so a wrapper never falls to an SPI default its delegate overrides — one that
 * did would, say, report the delegate's capabilities and then refuse the operations they
 * promise. A new method of the SPI is added here too. The wrapper does not own its delegate:
 * {@link #close()} leaves it open.
 */
public abstract class ForwardingBlobStore implements BlobStore {
  private final BlobStore delegate;

  protected ForwardingBlobStore(BlobStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store operations are passed to. */
  protected final BlobStore delegate() {
    return delegate;
  }

  @Override
  public BlobInfo put(InputStream content) {
    return delegate.put(content);
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
