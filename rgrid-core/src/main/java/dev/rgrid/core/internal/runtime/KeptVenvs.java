package dev.rgrid.core.internal.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.KeptEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The complete virtualenvs of {@link VirtualEnvs} under a cache directory, for garbage collection:
 * listed with their size on disk, removed one at a time under their build lock.
 */
final class KeptVenvs {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{32}");
  private static final String BACKEND = "process runtime";

  private final ObjectMapper json = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The complete environments of {@code cacheDir}; interrupted builds are not listed. */
  List<KeptEnvironment> list(Path cacheDir) {
    Path venvs = venvs(cacheDir);
    List<KeptEnvironment> kept = new ArrayList<>();
    if (!Files.isDirectory(venvs, LinkOption.NOFOLLOW_LINKS)) {
      return kept;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(venvs,
        p -> KEY.matcher(p.getFileName().toString()).matches()
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
      for (Path dir : dirs) {
        Optional<Instant> created = created(dir);
        if (created.isPresent()) {
          kept.add(new KeptEnvironment(dir.getFileName().toString(), dir.toString(), size(dir),
              created.get()));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot list the Python environments in "
          + venvs + ": " + e, "check that " + venvs + " is readable", e);
    }
    return kept;
  }

  /**
   * Removes the environment {@code key} of {@code cacheDir}: moved aside as a build leftover
   * first (which the next build of the key would delete too), so it is never seen half deleted.
   * Skipped (false) while a build of the key holds its lock.
   */
  boolean remove(Path cacheDir, String key) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not an environment key: '" + key + "'");
    }
    Path venvs = venvs(cacheDir);
    Path dir = venvs.resolve(key);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Path lockFile = venvs.resolve(key + ".lock");
    try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), PrivateFiles.fileAttributes(lockFile))) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return false; // a build in this JVM holds it
      }
      if (lock == null) {
        return false;
      }
      try (lock) {
        Path aside = venvs.resolve(".build-" + key + "-gc" + UUID.randomUUID().toString()
            .substring(0, 8));
        try {
          Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
          return false;
        }
        TmpDirs.deleteTree(aside);
        return true;
      }
    } catch (IOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot remove the Python environment "
          + dir + ": " + e, "check that " + venvs + " is writable", e);
    }
  }

  private static Path venvs(Path cacheDir) {
    return cacheDir.toAbsolutePath().normalize().resolve(VirtualEnvs.DIR);
  }

  private Optional<Instant> created(Path dir) {
    Path file = dir.resolve(VirtualEnvs.MARKER);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      VirtualEnvs.Marker m = json.readValue(file.toFile(), VirtualEnvs.Marker.class);
      return m.created() == null ? Optional.empty()
          : Optional.of(Instant.parse(m.created()));
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty(); // an interrupted build: the next one replaces it
    }
  }

  /** The bytes of the regular files in {@code dir}, not following links (to the interpreter). */
  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.mapToLong(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS);
          return a.isRegularFile() ? a.size() : 0;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    }
  }
}
