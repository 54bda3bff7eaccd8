package dev.rgrid.core;

import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory, private to its owner: created {@code 0700} with its {@code work/}, and
 * checked at start that what RGrid keeps private still is (the directory, its database, the saved
 * credentials). RGrid creates them private, but a directory the user made (or an older RGrid's)
 * may be open to other users; it is left as it is, since the user may share it on purpose, and
 * one warning line says what is open and the {@code chmod} that closes it.
 */
final class StateDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:+@%=,-]+");

  private StateDirectory() {}

  /**
   * Makes {@code dir} a usable state directory: created {@code 0700} when missing (parents too),
   * {@code work/} in it {@code 0700} whatever it was, and a warning when the directory or its
   * database is open to other users.
   *
   * @throws RGridException when it cannot be created or written
   */
  static void prepare(Path dir) {
    try {
      PrivateFiles.createDirectories(dir);
      Path work = PrivateFiles.createDirectories(dir.resolve("work"));
      // Running workspaces may belong to an unprivileged container user: keep others out above
      // them, even in a work/ an older RGrid made.
      if (PrivateFiles.posix(work)) {
        Files.setPosixFilePermissions(work, PrivateFiles.DIRECTORY);
      }
    } catch (IOException e) {
      throw new RGridException("cannot use " + dir + " as the RGrid state directory: "
          + e.getMessage(), "make it a writable directory, or set RGRID_HOME to one", null, e);
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new RGridException(dir + " is not a writable directory",
          "make it a writable directory, or set RGRID_HOME to one");
    }
    warnIfOpen(homeAndDatabase(dir));
  }

  /** The state directory {@code home} and the SQLite database files in it. */
  static List<Path> homeAndDatabase(Path home) {
    Path db = home.resolve("rgrid.db");
    return List.of(home, db, db.resolveSibling("rgrid.db-wal"),
        db.resolveSibling("rgrid.db-shm"));
  }

  /** Logs {@link #warning} as a warning, when there is one. */
  static void warnIfOpen(List<Path> paths) {
    warning(paths).ifPresent(LOG::warn);
  }

  /**
   * The one-line warning naming every entry of {@code paths} that group or others have any
   * permission on, with the command that takes them away; empty when all are private, missing,
   * or on a file system without POSIX permissions.
   */
  static Optional<String> warning(List<Path> paths) {
    List<String> open = new ArrayList<>();
    List<String> quoted = new ArrayList<>();
    for (Path path : paths) {
      Set<PosixFilePermission> loose = PrivateFiles.openTo(path);
      if (loose.isEmpty()) {
        continue;
      }
      open.add(path + " (" + mode(path) + ")");
      quoted.add(quote(path.toString()));
    }
    if (open.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("RGrid's private state is open to other users of this machine: "
        + String.join(", ", open) + "; make it private with `chmod go-rwx "
        + String.join(" ", quoted) + "`");
  }

  private static String mode(Path path) {
    try {
      return (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "d" : "-")
          + PosixFilePermissions.toString(
              Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException e) {
      return "mode unknown";
    }
  }

  /** {@code text} as one shell word. */
  static String quote(String text) {
    return PLAIN.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
  }
}
