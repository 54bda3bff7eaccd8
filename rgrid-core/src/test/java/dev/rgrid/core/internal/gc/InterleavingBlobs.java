package dev.rgrid.core.internal.gc;

import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.ForwardingBlobStore;
import java.util.Collection;

/**
 * A blob store that runs the test's steps just before and just after the collector discards:
 * the moments where a put or a lookup by a submission would race with it.
 */
final class InterleavingBlobs extends ForwardingBlobStore {
  volatile Runnable beforeDiscard = () -> { };
  volatile Runnable afterDiscard = () -> { };

  InterleavingBlobs(BlobStore store) {
    super(store);
  }

  @Override
  public int discard(Collection<BlobKey> keys) {
    beforeDiscard.run();
    int n = super.discard(keys);
    afterDiscard.run();
    return n;
  }
}
