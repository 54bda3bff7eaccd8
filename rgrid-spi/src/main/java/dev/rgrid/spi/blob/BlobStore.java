package dev.rgrid.spi.blob;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Content-addressed storage of script, input, output and log bytes. A blob's key is the SHA-256 of
 * its content, so storing the same bytes twice stores them once. Implementations stream: no method
 * holds a whole blob in memory. Every method may throw {@link BackendUnavailableException}.
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

  /** Whether a blob with this key is stored, so callers can skip uploading it again. */
  boolean exists(BlobKey key);

  /** The size of a stored blob, or empty when it is not stored. */
  Optional<Long> size(BlobKey key);

  /**
   * Deletes a blob.
   *
   * @return {@code true} if it existed
   */
  boolean delete(BlobKey key);

  /** What this store can do beyond the basics. */
  default BlobCapabilities capabilities() {
    return BlobCapabilities.NONE;
  }

  /** Releases the store's resources; the default does nothing. */
  @Override
  default void close() {}
}
