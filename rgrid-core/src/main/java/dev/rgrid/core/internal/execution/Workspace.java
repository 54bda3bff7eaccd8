package dev.rgrid.core.internal.execution;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directories of one attempt: {@code script/} (the script), {@code work/} (inputs in,
 * outputs out) and {@code tmp/} (RGrid's own scratch files). Closing empties all of it and gives
 * the directories back to their {@link Pool} for the next attempt this process runs.
 */
final class Workspace implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Workspace.class);
  private static final String[] PARTS = {"script", "work", "tmp"};
  private final Path root;
  private final Pool pool;

  private Workspace(Path root, Pool pool) {
    this.root = root;
    this.pool = pool;
  }

  /**
   * Empty workspaces of one process, kept between attempts. Making and removing four directories
   * per execution was most of a short script's cost on a disk (each removal frees a block, and a
   * file system mounted with {@code discard} trims it at once); emptying them keeps the blocks.
   * Each directory has a name of its own, so processes sharing a working root never meet.
   */
  static final class Pool {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private final Path workRoot;
    private final java.util.concurrent.ConcurrentLinkedDeque<Path> idle =
        new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    Pool(Path workRoot) {
      this.workRoot = workRoot;
    }

    /** An empty workspace: one given back earlier, or a new one. */
    Workspace take() {
      Path root = idle.pollFirst();
      if (root == null) {
        root = workRoot.resolve("ws-" + Long.toHexString(RANDOM.nextLong() >>> 1));
        try {
          for (String part : PARTS) {
            PrivateFiles.createDirectories(root.resolve(part));
          }
        } catch (IOException e) {
          throw failure("cannot create the working directory " + root, root, e);
        }
      }
      return new Workspace(root, this);
    }

    /**
     * Deletes the idle workspaces (when the process stops running work); one given back later is
     * deleted then.
     */
    void clear() {
      closed = true;
      for (Path root = idle.pollFirst(); root != null; root = idle.pollFirst()) {
        try {
          deleteTree(root);
        } catch (IOException e) {
          LOG.warn("could not delete working directory {}: {}", root, e.toString());
        }
      }
    }
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

  private void copy(BlobStore blobs, BlobKey key, Path target) {
    try (InputStream in = blobs.open(key)) {
      PrivateFiles.createDirectories(target.getParent());
      // Private like the blob it comes from; a container's user gets it by chown (RunAs).
      Files.deleteIfExists(target);
      try (OutputStream out = PrivateFiles.newOutputStream(target)) {
        in.transferTo(out);
      }
    } catch (IOException e) {
      throw failure("cannot stage " + target.getFileName(), root, e);
    }
  }

  /**
   * The error for an I/O failure on a workspace: a full disk is said to be one (the run fails as
   * {@code disk-full}, naming where RGrid keeps workspaces), anything else keeps its cause.
   */
  static RuntimeException failure(String what, Path workspace, IOException e) {
    Path where = workspace.getParent() == null ? workspace : workspace.getParent();
    if (dev.rgrid.spi.StorageFullException.isOutOfSpace(e)) {
      return new dev.rgrid.spi.StorageFullException("workspace", where.toString(), "the disk "
          + "holding the working directories " + where + " is full (" + what + ")",
          "free space on that disk, or set RGRID_HOME to a directory on a bigger one", e);
    }
    return new UncheckedIOException(what, e);
  }

  @Override
  public void close() {
    try {
      for (String part : PARTS) {
        Path dir = root.resolve(part);
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException(dir + " is no longer a directory");
        }
        dev.rgrid.core.internal.runtime.TmpDirs.emptyTree(dir);
      }
      pool.idle.addFirst(root); // the most recently used first: its blocks are likely cached
      if (pool.closed) {
        pool.clear(); // given back after the pool was cleared
      }
    } catch (IOException | RuntimeException e) {
      // Not reusable (a script changed what it should not have): remove it all.
      try {
        deleteTree(root);
      } catch (IOException again) {
        LOG.warn("could not delete working directory {}: {}", root, again.toString());
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    dev.rgrid.core.internal.runtime.TmpDirs.deleteTree(dir);
  }
}
