package dev.rgrid.core.preparation;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Writes output files into a local directory so that each is either complete and correct or
 * absent: fetched into a hidden {@code .part} file beside its target, checked against its SHA-256,
 * then moved into place in one step. A path that would land outside the directory is refused,
 * whatever the record says. Where the bytes come from is the caller's: the embedded engine reads
 * its blob store, a client of a server reads HTTP.
 */
public final class VerifiedDownloads {
  private VerifiedDownloads() {}

  /** Fetches one artifact's bytes. */
  @FunctionalInterface
  public interface Fetch {
    /**
     * Writes the whole content of {@code artifact} to {@code part}, creating or truncating it
     * (so a fetch may start again from scratch), and returns the SHA-256 of what it wrote, in
     * lower-case hex; {@link #copy} does both.
     */
    String fetch(Artifact artifact, Path part) throws IOException;
  }

  /**
   * Writes {@code artifacts} at their relative paths under {@code directory} and returns the
   * files written, in order.
   *
   * @param source names where the files come from in messages, e.g. {@code "exec_… on the
   *     server"}
   * @throws RGridException when a path leaves the directory, a file does not match its checksum
   *     or cannot be written; files written before stay, the failing one is absent
   */
  public static List<Path> download(List<Artifact> artifacts, Path directory, String source,
      Fetch fetch) {
    Path root = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw cannotWrite(root, e);
    }
    List<Path> written = new ArrayList<>();
    for (Artifact a : artifacts) {
      Path target = target(root, a.path());
      Path part = null;
      try {
        Files.createDirectories(target.getParent());
        // Not createTempFile: its 0600 mode would stick; a new file gets the umask's mode, as a
        // file the script wrote locally would.
        part = target.resolveSibling(".rgrid-" + UUID.randomUUID() + ".part");
        String actual = fetch.fetch(a, part);
        if (!a.blob().sha256().equals(actual)) {
          throw new RGridException("downloaded " + a.path() + " of " + source
              + " does not match its checksum", "download it again; if it persists, the stored "
              + "copy is damaged: run the script again");
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        part = null;
        written.add(target);
      } catch (IOException e) {
        throw cannotWrite(target, e);
      } finally {
        if (part != null) {
          try {
            Files.deleteIfExists(part);
          } catch (IOException ignored) {
            // best effort: the temporary file is hidden and named .part
          }
        }
      }
    }
    return written;
  }

  /** Copies {@code in} into {@code part} (created or truncated); returns its SHA-256 in hex. */
  public static String copy(InputStream in, Path part) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE), sha)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Where relative {@code path} goes under {@code root}; refuses a path that leaves it. */
  public static Path target(Path root, String path) {
    Path target = root.resolve(path).normalize();
    if (!target.startsWith(root) || target.equals(root)) {
      throw new RGridException("refusing to write output path '" + path + "' outside " + root,
          "the output record is unsafe; report it to the operator");
    }
    return target;
  }

  private static RGridException cannotWrite(Path path, IOException e) {
    return new RGridException("cannot write " + path + ": " + e.getMessage(),
        "check free space and permissions, or pass another --output-dir", null, e);
  }
}
