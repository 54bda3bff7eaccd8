package dev.rgrid.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Creates files and directories that only their owner can use: directories {@code 0700}, files
 * {@code 0600}, as RGrid keeps everything in its state directory (the database, blobs, logs,
 * credentials, lock files), whatever the process's umask.
 *
 * <p>The mode is given to the system call that creates the entry, never set afterwards, so there
 * is no moment at which another user could open it; the umask can only take bits away from it,
 * never add any. Existing entries are left as they are: a directory the user made and chose the
 * mode of stays theirs (RGrid warns about a loose state directory at start instead). On file
 * systems without POSIX permissions the entries are created plainly.
 */
public final class PrivateFiles {
  /** The mode of files RGrid creates in its state directory: {@code rw-------}. */
  public static final Set<PosixFilePermission> FILE =
      Set.copyOf(PosixFilePermissions.fromString("rw-------"));
  /** The mode of directories RGrid creates in its state directory: {@code rwx------}. */
  public static final Set<PosixFilePermission> DIRECTORY =
      Set.copyOf(PosixFilePermissions.fromString("rwx------"));
  private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /** Whether {@code path}'s file system has POSIX permissions. */
  public static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * The attributes that create a private file at {@code path} ({@code 0600}), for {@code
   * Files.createFile}, {@code FileChannel.open} and the like; none without POSIX permissions.
   */
  public static FileAttribute<?>[] fileAttributes(Path path) {
    return posix(path) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /**
   * Creates directory {@code dir} and its missing parents, each one it creates {@code 0700};
   * existing ones keep their mode.
   *
   * @return {@code dir}
   * @throws IOException when a directory cannot be created, or a non-directory is in the way
   */
  public static Path createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return dir;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      if (posix(absolute)) {
        Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIRECTORY));
      } else {
        Files.createDirectory(absolute);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(absolute)) {
        throw e; // a file is in the way; another process making the same directory is fine
      }
    }
    return dir;
  }

  /**
   * Creates the new, empty file {@code file} ({@code 0600}).
   *
   * @return {@code file}
   * @throws FileAlreadyExistsException when it exists
   * @throws IOException when it cannot be created
   */
  public static Path createFile(Path file) throws IOException {
    return Files.createFile(file, fileAttributes(file));
  }

  /**
   * Creates {@code file} ({@code 0600}) unless it exists, in which case it is left as it is.
   *
   * @return {@code file}
   * @throws IOException when it cannot be created
   */
  public static Path createIfMissing(Path file) throws IOException {
    try {
      return createFile(file);
    } catch (FileAlreadyExistsException e) {
      return file;
    }
  }

  /**
   * A stream writing {@code file} from its start: created {@code 0600} when missing, truncated
   * (its mode kept) when present.
   *
   * @throws IOException when it cannot be opened
   */
  public static OutputStream newOutputStream(Path file) throws IOException {
    return Channels.newOutputStream(Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), fileAttributes(file)));
  }

  /**
   * Writes {@code content} (UTF-8) as the whole of {@code file}, created {@code 0600} when
   * missing.
   *
   * @throws IOException when it cannot be written
   */
  public static void writeString(Path file, String content) throws IOException {
    try (OutputStream out = newOutputStream(file)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Takes every permission of group and others from {@code root} and everything under it, for
   * trees that other programs wrote with the umask's modes (a Python virtualenv built by pip).
   * Symbolic links are neither followed nor changed (their own mode means nothing).
   *
   * @throws IOException when a mode cannot be changed
   */
  public static void restrictTree(Path root) throws IOException {
    if (!posix(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        restrict(dir);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isSymbolicLink()) {
          restrict(file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void restrict(Path path) throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    if (mode.removeAll(GROUP_AND_OTHERS)) {
      Files.setPosixFilePermissions(path, mode);
    }
  }

  /**
   * The permissions group and others have on {@code path} (not following a symbolic link), empty
   * when it is private, missing or the file system has no POSIX permissions.
   */
  static Set<PosixFilePermission> openTo(Path path) {
    if (!posix(path)) {
      return Set.of();
    }
    try {
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
      mode.retainAll(GROUP_AND_OTHERS);
      return mode;
    } catch (IOException e) {
      return Set.of(); // missing or unreadable: nothing to say about it
    }
  }
}
