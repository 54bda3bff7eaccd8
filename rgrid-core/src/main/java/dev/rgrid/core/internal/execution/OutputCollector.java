package dev.rgrid.core.internal.execution;

import dev.rgrid.core.Limits;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.RelativePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the files a script created or changed in its working directory and stores them. Symbolic
 * links, devices, sockets and pipes are never collected or followed, so nothing outside the
 * working directory can be reached through them. Limits are checked before anything is stored.
 */
final class OutputCollector {
  private final BlobStore blobs;
  private final Limits limits;

  /** What was found: the stored artifacts and what was skipped, with why. */
  record Collected(List<Artifact> artifacts, List<String> skipped) {}

  OutputCollector(BlobStore blobs, Limits limits) {
    this.blobs = blobs;
    this.limits = limits;
  }

  /**
   * Collects outputs from {@code workDir}.
   *
   * @throws OutputLimitException when there are too many files or bytes; nothing is stored then
   * @throws StorageFullException when the blob store's disk is full
   */
  Collected collect(Path workDir, List<InputFile> inputs) {
    List<Path> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    long[] total = {0};
    try {
      Files.walkFileTree(workDir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          String rel = relative(workDir, file);
          if (attrs.isSymbolicLink()) {
            skipped.add(rel + " (symbolic link)");
          } else if (!attrs.isRegularFile()) {
            skipped.add(rel + " (not a regular file)");
          } else if (!isSafe(rel)) {
            skipped.add(rel.replaceAll("\\p{Cntrl}", "?") + " (unsafe file name)");
          } else {
            files.add(file);
            total[0] += attrs.size();
            if (files.size() > limits.maxOutputFiles()) {
              throw new OutputLimitException("the script wrote more than "
                  + limits.maxOutputFiles() + " output files; none were collected",
                  "write fewer, larger files (for example one archive), or raise the limit");
            }
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          skipped.add(relative(workDir, file) + " (unreadable: " + e.getMessage() + ")");
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the outputs in " + workDir, e);
    }
    if (total[0] > limits.maxOutputBytes()) {
      throw new OutputLimitException("the script wrote " + total[0] + " bytes of output files, "
          + "more than the limit of " + limits.maxOutputBytes() + "; none were collected",
          "write smaller outputs, or raise the limit");
    }
    Map<String, BlobKey> unchanged = new HashMap<>();
    inputs.forEach(i -> unchanged.put(i.path(), i.blob()));
    List<Artifact> artifacts = new ArrayList<>();
    for (Path file : files) {
      String rel = relative(workDir, file);
      BlobInfo info;
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        info = blobs.put(in);
      } catch (IOException e) {
        skipped.add(rel + " (unreadable: " + e.getMessage() + ")");
        continue;
      } catch (StorageFullException e) {
        // Said from the run's side: the script did its work, its outputs found no room.
        throw new StorageFullException(e.backend(), e.location(), "its outputs could not be "
            + "stored: " + e.getMessage(), e.hint().orElse(null), e);
      }
      if (!info.key().equals(unchanged.get(rel))) {
        artifacts.add(new Artifact(rel, info.size(), info.key()));
      }
    }
    artifacts.sort(java.util.Comparator.comparing(Artifact::path));
    return new Collected(artifacts, skipped);
  }

  private static String relative(Path root, Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path part : root.relativize(file)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static boolean isSafe(String rel) {
    try {
      RelativePaths.requireSafe(rel);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
