package dev.rgrid.core.internal.gc;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.StoredBlob;
import dev.rgrid.spi.store.BlobReferences;
import dev.rgrid.spi.store.RetentionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes the blobs nothing references, in two steps a grace period apart (see {@link
 * BlobStore}): discarded blobs that something references again are restored, unreferenced ones
 * discarded before the cutoff are purged, then unreferenced blobs last modified before the cutoff
 * are discarded.
 *
 * <p>Why this cannot lose a blob being stored right now: a submission stores (or confirms with
 * {@code exists}) its blobs first and records the execution that references them after, and a
 * worker stores outputs first and records the artifacts after. A blob stored so recently that its
 * reference may not be recorded yet has a last-modified time after the cutoff and is not
 * discarded. One stored during the discard itself (the store found it present and skipped
 * writing, just as the collector moved it aside) is still in the store's discard area, where
 * every read finds it and puts it back; and it is purged only when, a whole grace period later,
 * the reference scan, which starts after that period, does not see it referenced. The one
 * assumption, as with git's {@code gc --prune}: a writer records its reference within the grace
 * period of storing the blob.
 */
final class BlobCollection {
  static final int PAGE = 1000;

  private final RetentionStore store;
  private final BlobStore blobs;

  BlobCollection(RetentionStore store, BlobStore blobs) {
    this.store = store;
    this.blobs = blobs;
  }

  /** What was (or would be) done. */
  record Totals(long discarded, long purged, long bytesFreed, long restored) {}

  /**
   * Collects with blobs last modified before {@code cutoff} counting as old. {@code
   * skipEndedBefore}: in a dry run, the retention cutoff whose executions count as gone.
   */
  Totals run(Instant cutoff, boolean purgeAllDiscarded, boolean dryRun,
      Instant skipEndedBefore) {
    ReferencedBlobs referenced = referenced(dryRun ? skipEndedBefore : null);
    long purged = 0;
    long bytes = 0;
    long restored = 0;
    BlobKey after = null;
    for (List<StoredBlob> page; !(page = blobs.discarded(after, PAGE)).isEmpty(); ) {
      List<BlobKey> purge = new ArrayList<>();
      for (StoredBlob b : page) {
        if (referenced.mightContain(b.key())) {
          restored++;
          if (!dryRun) {
            blobs.restore(b.key());
          }
        } else if (purgeAllDiscarded || b.lastModified().isBefore(cutoff)) {
          purge.add(b.key());
          bytes += b.size();
        }
      }
      purged += purge.size();
      if (!dryRun && !purge.isEmpty()) {
        blobs.purge(purge);
      }
      after = page.get(page.size() - 1).key();
    }
    long discarded = 0;
    long discardedBytes = 0;
    List<BlobKey> discard = new ArrayList<>();
    after = null;
    for (List<StoredBlob> page; !(page = blobs.list(after, PAGE)).isEmpty(); ) {
      discard.clear();
      for (StoredBlob b : page) {
        if (b.lastModified().isBefore(cutoff) && !referenced.mightContain(b.key())) {
          discard.add(b.key());
          discardedBytes += b.size();
        }
      }
      if (!dryRun && !discard.isEmpty()) {
        discarded += blobs.discard(discard);
        if (purgeAllDiscarded) {
          blobs.purge(discard);
        }
      } else {
        discarded += discard.size();
      }
      after = page.get(page.size() - 1).key();
    }
    if (purgeAllDiscarded) {
      purged += discarded;
      bytes += discardedBytes;
    }
    return new Totals(discarded, purged, bytes, restored);
  }

  private ReferencedBlobs referenced(Instant skipEndedBefore) {
    ReferencedBlobs set = new ReferencedBlobs();
    ExecutionId after = null;
    do {
      BlobReferences page = store.blobReferences(after, skipEndedBefore, RetentionStore.MAX_PAGE);
      page.keys().forEach(set::add);
      after = page.last();
    } while (after != null);
    return set;
  }
}
