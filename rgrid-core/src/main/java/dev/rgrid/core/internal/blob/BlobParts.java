package dev.rgrid.core.internal.blob;

import static dev.rgrid.core.internal.blob.FileBlobStore.unavailable;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.RGridException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable half of a {@link FileBlobStore} put: a private temporary file under {@code
 * <root>/tmp/}, written while hashing and forced to disk, then renamed into place with the rename
 * itself made durable, so that a blob is either complete or absent, whatever crashes when.
 */
final class BlobParts {
  private static final String TMP_SUFFIX = ".part";
  private static final int BUFFER = 64 * 1024;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  private static final Logger LOG = LoggerFactory.getLogger(BlobParts.class);

  private final Path root;
  private final Path tmp;
  private final Clock clock;

  BlobParts(Path root, Path tmp, Clock clock) {
    this.root = root;
    this.tmp = tmp;
    this.clock = clock;
  }

  /** A fresh temporary file name, unique across threads and processes. */
  Path newPart() {
    return tmp.resolve(UUID.randomUUID() + TMP_SUFFIX);
  }

  /** Dates a finished temporary file by the store's clock, before it goes into place. */
  void stamp(Path part) {
    try {
      Files.setLastModifiedTime(part, FileTime.from(clock.instant()));
    } catch (IOException e) {
      throw unavailable("cannot date temporary blob file " + part, root, e);
    }
  }

  /** Copies {@code content} into a new file {@code part}, hashing it; returns its size. */
  long write(InputStream content, Path part, MessageDigest digest) {
    try {
      PrivateFiles.createFile(part);
    } catch (IOException e) {
      throw unavailable("cannot create temporary blob file " + part, root, e);
    }
    // FileOutputStream + FileDescriptor.sync rather than a FileChannel: an interrupt of the
    // calling thread must not close the file halfway and turn into a misleading disk error.
    try (FileOutputStream out = new FileOutputStream(part.toFile())) {
      byte[] buf = new byte[BUFFER];
      long size = 0;
      for (int n; (n = readSource(content, buf)) >= 0; ) {
        if (n == 0) {
          continue;
        }
        digest.update(buf, 0, n);
        out.write(buf, 0, n);
        size += n;
      }
      out.flush();
      out.getFD().sync();
      return size;
    } catch (IOException e) {
      throw unavailable("cannot write temporary blob file " + part, root, e);
    }
  }

  /** Reads from the caller's stream, telling its failures apart from the store's own. */
  private static int readSource(InputStream content, byte[] buf) {
    try {
      return content.read(buf);
    } catch (IOException e) {
      throw new RGridException("could not read the content to store in the file blob store: "
          + e.getMessage(), "check the file or stream being stored, then try again", null, e);
    }
  }

  /** Renames a finished temporary file to {@code target}, durably. */
  void moveIntoPlace(Path part, Path target) {
    try {
      // Renamed even when the key is stored (same key, same bytes): the rename refreshes the
      // blob's time and is atomic against a discard's rename, which a skipped write is not.
      PrivateFiles.createDirectories(target.getParent());
      try {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // A platform whose rename does not replace: the stored copy is as good as ours.
        deleteQuietly(part);
        Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
        return;
      }
      syncDirectory(target.getParent());
    } catch (IOException e) {
      throw unavailable("cannot move a blob into place at " + target, root, e);
    }
  }

  /** Makes the rename itself durable, so a crash cannot lose a blob already reported stored. */
  private static void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return; // directories cannot be opened for sync there; NTFS journals renames itself
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Removes temporary files older than {@code olderThan}, left by processes that died mid-put. */
  void removeStale(Instant olderThan) {
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp, "*" + TMP_SUFFIX)) {
      for (Path part : parts) {
        try {
          if (Files.getLastModifiedTime(part).toInstant().isBefore(olderThan)) {
            Files.deleteIfExists(part);
          }
        } catch (NoSuchFileException e) {
          // Another process finished or cleaned it up between the listing and now: nothing to do.
          continue;
        }
      }
    } catch (IOException e) {
      throw unavailable("cannot clean up temporary blob files in " + tmp, root, e);
    }
  }

  /**
   * Removes a temporary file on a path that is already failing or finished; a failure here must
   * not hide the original error, and a leftover is removed at a later open anyway.
   */
  static void deleteQuietly(Path part) {
    try {
      Files.deleteIfExists(part);
    } catch (IOException e) {
      LOG.warn("could not remove temporary blob file {}; it is removed at a later open", part, e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
