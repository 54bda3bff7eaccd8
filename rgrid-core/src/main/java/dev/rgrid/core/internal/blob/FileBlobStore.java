package dev.rgrid.core.internal.blob;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.blob.BlobCapabilities;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.StoredBlob;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded {@link BlobStore}: one file per blob under a root directory, laid out as {@code
 * <root>/<first two hex digits>/<sha256>}.
 *
 * <p>A put streams into a private file under {@code <root>/tmp/} while hashing, forces it to disk
 * and then renames it into place atomically, so a blob is either complete or absent, and any number
 * of threads and processes may store the same content at the same time. Temporary files older than
 * a day, left by processes that died mid-put, are removed when a store is opened.
 *
 * <p>Garbage collection (see {@link BlobStore}) moves a discarded blob to {@code
 * <root>/trash/<first two hex digits>/<sha256>} with one rename, and every put renames its file
 * into place even when the key is stored (replacing it with the same bytes), so each rename is
 * atomic against the others: a put that lands just before a discard is moved aside with it and
 * comes back on the next {@link #open} or {@link #exists}; one that lands just after finds the key
 * free and stays. Last-modified times come from the store's clock.
 *
 * <p>Safe for use by many threads and by many processes sharing the root.
 */
public final class FileBlobStore implements BlobStore {
  private static final String BACKEND = "file blob store";
  private static final String TMP = "tmp";
  private static final String TRASH = "trash";
  private static final BlobCapabilities CAPABILITIES = new BlobCapabilities(false, true);
  private static final Duration STALE_TMP = Duration.ofDays(1);

  private final Path root;
  private final Clock clock;
  private final BlobParts parts;
  private final BlobShards live;
  private final BlobShards trash;

  /**
   * Opens (and creates if missing) a store under {@code root}.
   *
   * @throws BackendUnavailableException when the directory cannot be created or read
   */
  public FileBlobStore(Path root) {
    this(root, Clock.systemUTC());
  }

  /**
   * Opens (and creates if missing) a store under {@code root}, judging the age of leftover
   * temporary files by {@code clock}.
   *
   * @throws BackendUnavailableException when the directory cannot be created or read
   */
  public FileBlobStore(Path root, Clock clock) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(clock, "clock");
    this.root = root.toAbsolutePath().normalize();
    Path tmp = this.root.resolve(TMP);
    this.clock = clock;
    this.live = new BlobShards(this.root);
    this.trash = new BlobShards(this.root.resolve(TRASH));
    try {
      // Directories and files private to the owner (0700, 0600): blobs hold scripts, inputs and
      // outputs. A root the user made keeps its mode.
      PrivateFiles.createDirectories(tmp);
    } catch (IOException e) {
      throw unavailable("cannot create the blob directory " + tmp, this.root, e);
    }
    this.parts = new BlobParts(this.root, tmp, clock);
    parts.removeStale(clock.instant().minus(STALE_TMP));
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  @Override
  public BlobInfo put(InputStream content) {
    Objects.requireNonNull(content, "content");
    Path part = parts.newPart();
    boolean stored = false;
    try {
      MessageDigest digest = BlobParts.sha256();
      long size = parts.write(content, part, digest);
      BlobKey key = new BlobKey(HexFormat.of().formatHex(digest.digest()));
      parts.stamp(part);
      parts.moveIntoPlace(part, pathOf(key));
      stored = true;
      return new BlobInfo(key, size);
    } finally {
      if (!stored) {
        BlobParts.deleteQuietly(part);
      }
    }
  }

  @Override
  public InputStream open(BlobKey key) {
    return open(key, true);
  }

  /** Opens the blob, first putting it back when garbage collection set it aside. */
  private InputStream open(BlobKey key, boolean restoring) {
    Path path = pathOf(key);
    try {
      // FileInputStream rather than Files.newInputStream: a channel-backed stream is closed for
      // good when the reading thread is interrupted, which would break a cancelled download's
      // cleanup in surprising ways.
      return new FileInputStream(path.toFile());
    } catch (FileNotFoundException e) {
      if (restoring && !Files.exists(path) && restore(key)) {
        return open(key, false);
      }
      if (!Files.exists(path)) {
        throw new NotFoundException("no blob " + key + " in the file blob store at " + root,
            "store it again, or check that nothing deletes files under " + root);
      }
      throw unavailable("cannot read blob file " + path, root, e);
    }
  }

  @Override
  public boolean exists(BlobKey key) {
    Path path = pathOf(key);
    try {
      // Refreshed so that garbage collection counts it young again: its caller is about to use it.
      Files.setLastModifiedTime(path, FileTime.from(clock.instant()));
      return Files.isRegularFile(path);
    } catch (NoSuchFileException e) {
      return restore(key);
    } catch (IOException e) {
      throw unavailable("cannot touch blob file " + path, root, e);
    }
  }

  @Override
  public Optional<Long> size(BlobKey key) {
    Path path = pathOf(key);
    try {
      return Optional.of(Files.size(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw unavailable("cannot read the size of blob file " + path, root, e);
    }
  }

  @Override
  public boolean delete(BlobKey key) {
    Path path = pathOf(key);
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      throw unavailable("cannot delete blob file " + path, root, e);
    }
  }

  @Override
  public List<StoredBlob> list(BlobKey after, int limit) {
    try {
      return live.list(after, limit);
    } catch (IOException e) {
      throw unavailable("cannot list the blobs", root, e);
    }
  }

  @Override
  public int discard(Collection<BlobKey> keys) {
    int moved = 0;
    for (BlobKey key : keys) {
      Path aside = trash.pathOf(key);
      try {
        PrivateFiles.createDirectories(aside.getParent());
        Files.move(pathOf(key), aside, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(aside, FileTime.from(clock.instant()));
        moved++;
      } catch (NoSuchFileException e) {
        continue; // gone already, or restored and moved again by someone else
      } catch (IOException e) {
        throw unavailable("cannot move blob " + key + " aside", root, e);
      }
    }
    return moved;
  }

  @Override
  public List<StoredBlob> discarded(BlobKey after, int limit) {
    try {
      return trash.list(after, limit);
    } catch (IOException e) {
      throw unavailable("cannot list the discarded blobs", root, e);
    }
  }

  @Override
  public boolean restore(BlobKey key) {
    Path target = pathOf(key);
    if (!Files.exists(trash.pathOf(key))) {
      return Files.isRegularFile(target); // the usual miss: nothing set aside, touch nothing
    }
    try {
      PrivateFiles.createDirectories(target.getParent());
      Files.setLastModifiedTime(trash.pathOf(key), FileTime.from(clock.instant()));
      Files.move(trash.pathOf(key), target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchFileException e) {
      return Files.isRegularFile(target); // restored by someone else meanwhile
    } catch (IOException e) {
      throw unavailable("cannot put blob " + key + " back in use", root, e);
    }
  }

  @Override
  public void purge(Collection<BlobKey> keys) {
    for (BlobKey key : keys) {
      try {
        Files.deleteIfExists(trash.pathOf(key));
      } catch (IOException e) {
        throw unavailable("cannot delete discarded blob " + key, root, e);
      }
    }
  }

  /** Lists, discards, restores and purges. */
  @Override
  public BlobCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public String toString() {
    return "FileBlobStore[" + root + "]";
  }

  /** Where the blob with this key lives. */
  Path pathOf(BlobKey key) {
    Objects.requireNonNull(key, "key");
    return live.pathOf(key);
  }

  /** The store's error for a failed file operation: a full disk said as such. */
  static BackendUnavailableException unavailable(String message, Path root, IOException e) {
    if (StorageFullException.isOutOfSpace(e)) {
      return new StorageFullException(BACKEND, root.toString(), "the disk holding the blob "
          + "store " + root + " is full (" + message + ")", "free space on that disk, or point the blob "
          + "store at a bigger one (RGRID_BLOBS_DIR, or blobs.dir in the config file)", e);
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.toString();
    return new BackendUnavailableException(BACKEND, message + " (" + detail + ")",
        "check free disk space and that " + root + " is a writable directory, or set RGRID_HOME",
        e);
  }
}
