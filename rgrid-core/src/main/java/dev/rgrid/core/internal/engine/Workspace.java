package dev.rgrid.core.internal.engine;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directories of one attempt: {@code script/} (the script), {@code work/} (inputs in,
 * outputs out) and {@code tmp/} (RGrid's own scratch files). Closing deletes all of it.
 */
final class Workspace implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Workspace.class);
  private final Path root;

  private Workspace(Path root) {
    this.root = root;
  }

  static Workspace create(Path workRoot, ExecutionId id, int attempt) {
    Path root = workRoot.resolve(id.value() + "-" + attempt);
    try {
      if (Files.exists(root)) {
        deleteTree(root); // left by an earlier crash of this same attempt
      }
      Files.createDirectories(root.resolve("script"));
      Files.createDirectories(root.resolve("work"));
      Files.createDirectories(root.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the working directory " + root, e);
    }
    return new Workspace(root);
  }

  Path scriptDir() {
    return root.resolve("script");
  }

  Path workDir() {
    return root.resolve("work");
  }

  Path tmpDir() {
    return root.resolve("tmp");
  }

  /** Writes the script and the inputs from the blob store. */
  void stage(BlobStore blobs, String scriptName, BlobKey script, Iterable<InputFile> inputs) {
    copy(blobs, script, scriptDir().resolve(scriptName));
    for (InputFile input : inputs) {
      Path target = workDir().resolve(input.path()).normalize();
      if (!target.startsWith(workDir())) {
        throw new IllegalStateException("input path escapes the working directory: " + input.path());
      }
      copy(blobs, input.blob(), target);
    }
  }

  /** Writes the files that travel with the script (its local modules) beside it. */
  void stageBesideScript(BlobStore blobs, Iterable<InputFile> files) {
    for (InputFile file : files) {
      Path target = scriptDir().resolve(file.path()).normalize();
      if (!target.startsWith(scriptDir()) || target.equals(scriptDir())) {
        throw new IllegalStateException("script file path escapes the script directory: "
            + file.path());
      }
      copy(blobs, file.blob(), target);
    }
  }

  private static void copy(BlobStore blobs, BlobKey key, Path target) {
    try (InputStream in = blobs.open(key)) {
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage " + target.getFileName(), e);
    }
  }

  @Override
  public void close() {
    try {
      deleteTree(root);
    } catch (IOException e) {
      LOG.warn("could not delete working directory {}: {}", root, e.toString());
    }
  }

  static void deleteTree(Path dir) throws IOException {
    dev.rgrid.core.internal.runtime.TmpDirs.deleteTree(dir);
  }
}
