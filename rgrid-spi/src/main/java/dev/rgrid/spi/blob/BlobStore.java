package dev.rgrid.spi.blob;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Content-addressed storage of script, input, output and log bytes. A blob's key is the SHA-256 of
 * its content, so storing the same bytes twice stores them once. Implementations stream: no method
 * holds a whole blob in memory. Every method may throw {@link BackendUnavailableException}.
 *
 * <p>Garbage collection ({@linkplain BlobCapabilities#collectable collectable} stores) deletes in
 * two steps so that it never loses a blob being stored at that moment: it first {@linkplain
 * #discard discards} unreferenced blobs (moves them aside, where {@link #open} and {@link
 * #exists} still find them and put them back), and {@linkplain #purge purges} them only a grace
 * period later, once every reference made meanwhile is visible to it. A put and an {@code exists}
 * that answers {@code true} refresh the blob's last-modified time, so the blob counts as young
 * again.
 */
public interface BlobStore extends AutoCloseable {

  /**
   * Stores the bytes read from {@code content} until its end, computing their SHA-256 on the way.
   * The blob becomes visible under its key only once complete: a failed or interrupted put leaves
   * nothing behind. The stream is not closed.
   *
   * @return the key and size of the stored blob
   */
  BlobInfo put(InputStream content);

  /**
   * Opens a stored blob for reading; the caller closes the stream.
   *
   * @throws NotFoundException when no blob has this key
   */
  InputStream open(BlobKey key);

  /**
   * Whether a blob with this key is stored, so callers can skip uploading it again. A discarded
   * blob is put back and counts as stored.
   */
  boolean exists(BlobKey key);

  /** The size of a stored blob, or empty when it is not stored. */
  Optional<Long> size(BlobKey key);

  /**
   * Deletes a blob.
   *
   * @return {@code true} if it existed
   */
  boolean delete(BlobKey key);

  /**
   * Stored blobs (not discarded ones) in key order, after {@code after} when it is not null: at
   * most {@code limit}; an empty list after the last.
   *
   * @throws UnsupportedOperationException when the store is not {@linkplain
   *     BlobCapabilities#collectable collectable}
   */
  default List<StoredBlob> list(BlobKey after, int limit) {
    throw notCollectable();
  }

  /**
   * Moves blobs aside: no longer listed by {@link #list}, but still found by {@link #open} and
   * {@link #exists}, which put them back, until purged. A key that is not stored is skipped.
   *
   * @return how many were moved aside
   * @throws UnsupportedOperationException when the store is not collectable
   */
  default int discard(Collection<BlobKey> keys) {
    throw notCollectable();
  }

  /**
   * Discarded blobs in key order (their last-modified time: when they were discarded), after
   * {@code after} when it is not null: at most {@code limit}.
   *
   * @throws UnsupportedOperationException when the store is not collectable
   */
  default List<StoredBlob> discarded(BlobKey after, int limit) {
    throw notCollectable();
  }

  /**
   * Puts a discarded blob back in use.
   *
   * @return whether there was one to put back
   * @throws UnsupportedOperationException when the store is not collectable
   */
  default boolean restore(BlobKey key) {
    throw notCollectable();
  }

  /**
   * Deletes discarded blobs for good (a stored blob with the same key is left alone).
   *
   * @throws UnsupportedOperationException when the store is not collectable
   */
  default void purge(Collection<BlobKey> keys) {
    throw notCollectable();
  }

  /** What this store can do beyond the basics. */
  default BlobCapabilities capabilities() {
    return BlobCapabilities.NONE;
  }

  /** Releases the store's resources; the default does nothing. */
  @Override
  default void close() {}

  private UnsupportedOperationException notCollectable() {
    return new UnsupportedOperationException(this + " cannot list or discard its blobs, so"
        + " garbage collection cannot run on it");
  }
}
