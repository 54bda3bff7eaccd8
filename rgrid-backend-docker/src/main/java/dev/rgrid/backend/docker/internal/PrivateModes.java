package dev.rgrid.backend.docker.internal;

import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The attributes that create what this runtime keeps in RGrid's state directory (warm slots, lock
 * files) private to its owner, directories {@code 0700} and files {@code 0600}, as core creates
 * the rest of it: given at creation, so the umask can take bits away but never add any. None on
 * file systems without POSIX permissions.
 */
final class PrivateModes {
  private PrivateModes() {}

  /** For {@code Files.createDirectories}: every directory it creates is {@code 0700}. */
  static FileAttribute<?>[] directory(Path path) {
    return of(path, "rwx------");
  }

  /** For {@code FileChannel.open} and the like: a file it creates is {@code 0600}. */
  static FileAttribute<?>[] file(Path path) {
    return of(path, "rw-------");
  }

  private static FileAttribute<?>[] of(Path path, String mode) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString(mode))}
        : new FileAttribute<?>[0];
  }
}
