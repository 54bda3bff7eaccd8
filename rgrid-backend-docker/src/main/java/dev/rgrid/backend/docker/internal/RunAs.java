package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.BackendUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user scripts run as, and what it takes for that user to use the mounted directories.
 *
 * <p>Scripts never run as root. When this JVM runs as root they run as {@code nobody} (65534), and
 * the working and script directories are handed to that user with {@code chown} before the start:
 * the script can then create files in {@code /work} and change its inputs, and RGrid (root) still
 * reads and deletes everything afterwards. {@code chown} rather than a {@code chmod} to world
 * writable: it widens access for exactly one user, leaves no world-writable directory on the host,
 * and the mode bits a script gives its outputs stay meaningful. When this JVM is not root, scripts
 * run with its own uid and gid, so the files they write belong to the JVM's user and nothing needs
 * to change hands.
 */
public final class RunAs {
  /** The uid and gid of {@code nobody}. */
  public static final int NOBODY = 65534;
  private static final Logger LOG = LoggerFactory.getLogger(RunAs.class);

  private final String user;
  private final Integer chownUid;
  private final Integer chownGid;

  private RunAs(String user, Integer chownUid, Integer chownGid) {
    this.user = user;
    this.chownUid = chownUid;
    this.chownGid = chownGid;
  }

  /**
   * The user for scripts: {@code configured} when set (a numeric {@code uid[:gid]}), otherwise
   * chosen from this JVM's own user as described above.
   */
  public static RunAs choose(String configured) {
    int[] self = currentIds();
    boolean root = self[0] == 0;
    if (configured == null) {
      return root ? new RunAs(NOBODY + ":" + NOBODY, NOBODY, NOBODY)
          : new RunAs(self[0] + ":" + self[1], null, null);
    }
    int colon = configured.indexOf(':');
    int uid = Integer.parseInt(colon < 0 ? configured : configured.substring(0, colon));
    Integer gid = colon < 0 ? null : Integer.valueOf(configured.substring(colon + 1));
    // Only root can give files away; another user must make the directories usable itself.
    boolean chown = root && uid != 0;
    return new RunAs(configured, chown ? uid : null, chown ? gid : null);
  }

  /** The {@code uid:gid} passed to the engine. */
  public String user() {
    return user;
  }

  /**
   * Lets the script's user use {@code dirs}: hands the trees over when this JVM is root. Symbolic
   * links are changed themselves, never followed.
   *
   * @throws BackendUnavailableException when the ownership cannot be changed
   */
  public void grant(List<Path> dirs) {
    if (chownUid == null) {
      return;
    }
    for (Path dir : dirs) {
      try {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            hand(d);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            hand(file);
            return FileVisitResult.CONTINUE;
          }
        });
      } catch (IOException e) {
        throw new BackendUnavailableException(Engine.BACKEND, "cannot hand " + dir
            + " to uid " + chownUid + " for the container (" + e + ")",
            "check that RGrid's work directory is on a local file system that supports chown, "
                + "or set a user for containers", e);
      }
    }
  }

  private void hand(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", chownUid, LinkOption.NOFOLLOW_LINKS);
    if (chownGid != null) {
      Files.setAttribute(p, "unix:gid", chownGid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** This process's effective uid and gid. */
  private static int[] currentIds() {
    try {
      int uid = -1;
      int gid = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"),
          StandardCharsets.ISO_8859_1)) {
        // "Uid:\treal\teffective\tsaved\tfs": the effective id decides file access.
        if (line.startsWith("Uid:")) {
          uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        } else if (line.startsWith("Gid:")) {
          gid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
      }
      if (uid >= 0 && gid >= 0) {
        return new int[] {uid, gid};
      }
    } catch (IOException | RuntimeException e) {
      return idsOfANewFile(e);
    }
    return idsOfANewFile(null);
  }

  /** Without /proc, the owner of a file this process creates is its effective uid and gid. */
  private static int[] idsOfANewFile(Exception why) {
    Path probe = null;
    try {
      probe = Files.createTempFile("rgrid-uid-", ".probe");
      return new int[] {(Integer) Files.getAttribute(probe, "unix:uid"),
          (Integer) Files.getAttribute(probe, "unix:gid")};
    } catch (IOException | RuntimeException e) {
      if (why != null) {
        e.addSuppressed(why);
      }
      throw new IllegalStateException("cannot tell which user this process runs as", e);
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException e) {
          // An empty file in the temporary directory; the answer above still holds.
          LOG.debug("could not delete {}", probe, e);
        }
      }
    }
  }
}
