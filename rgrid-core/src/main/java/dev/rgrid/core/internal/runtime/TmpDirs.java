package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.BackendUnavailableException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private temporary directory of one script, beside its working directory so that nothing the
 * script leaves in it is mistaken for an output.
 */
public final class TmpDirs {
  private static final Logger LOG = LoggerFactory.getLogger(TmpDirs.class);

  private TmpDirs() {}

  /** The temporary directory that belongs to {@code workDir}. */
  static Path beside(Path workDir) {
    Path abs = workDir.toAbsolutePath().normalize();
    if (abs.getFileName() == null) {
      throw new IllegalArgumentException("the working directory cannot be the root: " + workDir);
    }
    return abs.resolveSibling(abs.getFileName() + ".tmp");
  }

  /**
   * Creates a fresh, empty temporary directory for {@code workDir}, removing one left by an
   * earlier attempt that crashed.
   */
  static Path create(Path workDir) {
    Path dir = beside(workDir);
    try {
      deleteTree(dir);
      return dev.rgrid.core.PrivateFiles.createDirectories(dir);
    } catch (IOException e) {
      throw new BackendUnavailableException("process runtime",
          "cannot create the temporary directory " + dir + " (" + e + ")",
          "check free disk space and that " + dir.getParent() + " is writable, or set RGRID_HOME",
          e);
    }
  }

  /**
   * Deletes a temporary directory and everything in it, never following symbolic links a script
   * may have planted there. Failures are logged: the script has ended, and a leftover directory
   * must not turn its result into an error.
   */
  static void delete(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary directory {} of a finished script", dir, e);
    }
  }

  /**
   * Deletes everything inside {@code dir}, as {@link #deleteTree} does, and keeps {@code dir}
   * itself, writable and searchable by its owner again.
   */
  public static void emptyTree(Path dir) throws IOException {
    if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
      dir.toFile().setWritable(true, true);
      dir.toFile().setExecutable(true, true);
    }
    try (java.util.stream.Stream<Path> children = Files.list(dir)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        deleteTree(child);
      }
    }
  }

  /**
   * Deletes a directory tree a script may have left in any state (read-only directories, files
   * vanishing meanwhile), never following links. Shared by the engine's workspaces.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
          throws IOException {
        // A script may have made a directory read-only; its owner may still empty it.
        if (!Files.isWritable(d) || !Files.isExecutable(d)) {
          d.toFile().setWritable(true, true);
          d.toFile().setExecutable(true, true);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
