package dev.rgrid.core.internal.blob;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes artifacts into a local directory: each through a temporary file that is checked against
 * its SHA-256 and then moved into place, so a file is either complete and correct or absent.
 */
public final class Downloader {
  private final BlobStore blobs;

  /** Reads from {@code blobs}. */
  public Downloader(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Writes each artifact at its relative path under {@code directory}; returns the files. */
  public List<Path> download(List<Artifact> artifacts, Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw cannotWrite(root, e);
    }
    for (Artifact a : artifacts) {
      Path target = root.resolve(a.path()).normalize();
      if (!target.startsWith(root) || target.equals(root)) {
        throw new RGridException("refusing to write artifact path " + a.path()
            + " outside " + root, "this artifact record is corrupt; report it");
      }
      Path tmp = null;
      try {
        Files.createDirectories(target.getParent());
        // Not createTempFile: its 0600 mode would stick; a new file gets the umask's mode, as a
        // file the script wrote locally would.
        tmp = target.resolveSibling(".rgrid-" + java.util.UUID.randomUUID() + ".part");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = blobs.open(a.blob());
            OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp,
                java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE), sha)) {
          in.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(a.blob().sha256())) {
          throw new RGridException("downloaded " + a.path() + " does not match its checksum",
              "the stored copy is damaged; run the script again");
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        written.add(target);
      } catch (IOException e) {
        throw cannotWrite(target, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      } finally {
        if (tmp != null) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException ignored) {
            // best effort: the temporary file is hidden and named .part
          }
        }
      }
    }
    return written;
  }

  private static RGridException cannotWrite(Path path, IOException e) {
    return new RGridException("cannot write " + path + ": " + e.getMessage(),
        "check free space and permissions, or pass another --output-dir", null, e);
  }
}
