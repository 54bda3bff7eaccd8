package dev.rgrid.core.internal.runtime;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/**
 * Which kept environments are in use, seen by every process on the machine, in {@code
 * <cacheDir>/leases/}: a run holds a lease on its environment from before the environment is
 * found or built until its container is gone, so garbage collection never removes one a run
 * starts in or runs in.
 *
 * <p>Per environment (its key's first 32 hex digits): {@code <key>.used}, whose modification time
 * is when a run last took a lease (the order garbage collection removes in); one {@code
 * <key>-<random>.lease} per run using it, locked exclusively while the run holds it (the lock goes
 * with a crashed process, and a lockable lease file is a stale one); and {@code <key>.gate},
 * locked for a moment to take a lease and for as long as the collector checks and removes the
 * environment, so that no lease is taken between the collector's check and its removal. Gate files
 * stay behind, as build locks do.
 */
public final class EnvironmentLeases {
  static final String DIR = "leases";
  private static final Duration POLL = Duration.ofMillis(5);
  private static final String BACKEND = "environment leases";

  private final Path dir;
  private final Clock clock;

  /** The leases of the environments kept for {@code cacheDir}, stamped by {@code clock}. */
  public EnvironmentLeases(Path cacheDir, Clock clock) {
    this.dir = cacheDir.toAbsolutePath().normalize().resolve(DIR);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A run's hold on an environment; closing it ends the hold. */
  public interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes a lease on the environment {@code key} and stamps it used now. Waits while the collector
   * is removing it (it is then built again).
   */
  public Lease acquire(String key) {
    checkKey(key);
    try {
      PrivateFiles.createDirectories(dir);
      try (FileChannel gate = gate(key); FileLock held = waitFor(gate)) {
        Path file = dir.resolve(key + "-" + UUID.randomUUID().toString().replace("-", "")
            + ".lease");
        FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE), PrivateFiles.fileAttributes(file));
        FileLock lock = channel.lock(); // a new file: nobody else holds it
        Path stamp = PrivateFiles.createIfMissing(dir.resolve(key + ".used"));
        Files.setLastModifiedTime(stamp, FileTime.from(clock.instant()));
        return () -> release(channel, lock, file);
      }
    } catch (IOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot take a lease on the environment "
          + key + " in " + dir + ": " + e, "check free disk space and that " + dir
          + " is writable", e);
    }
  }

  /**
   * When the environment {@code key} was last leased, if ever since its stamp was written.
   */
  public Optional<Instant> lastUsed(String key) {
    try {
      return Optional.of(Files.getLastModifiedTime(dir.resolve(key + ".used")).toInstant());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot read " + dir.resolve(key + ".used")
          + ": " + e, "check that " + dir + " is readable", e);
    }
  }

  /**
   * Runs {@code removal} on the environment {@code key} when no run holds or is taking a lease
   * on it, no new lease being possible meanwhile, then forgets its stamp when it returns true.
   * With {@code dryRun}, only says whether it would run it.
   *
   * @return what {@code removal} returned; false, without running it, when the environment is in
   *     use
   */
  public boolean removeUnused(String key, BooleanSupplier removal, boolean dryRun) {
    checkKey(key);
    if (!Files.isDirectory(dir)) {
      return dryRun || removal.getAsBoolean();
    }
    try (FileChannel gate = gate(key)) {
      FileLock held = tryLock(gate);
      if (held == null) {
        return false; // a lease is being taken, or another collector is at it
      }
      try (held) {
        if (inUse(key)) {
          return false;
        }
        if (dryRun) {
          return true;
        }
        boolean removed = removal.getAsBoolean();
        if (removed) {
          Files.deleteIfExists(dir.resolve(key + ".used"));
        }
        return removed;
      }
    } catch (IOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot check the leases of the "
          + "environment " + key + " in " + dir + ": " + e, "check that " + dir
          + " is writable", e);
    }
  }

  /** Whether a live lease exists; stale ones (of crashed processes) are deleted on the way. */
  private boolean inUse(String key) throws IOException {
    boolean used = false;
    try (DirectoryStream<Path> leases = Files.newDirectoryStream(dir, key + "-*.lease")) {
      for (Path file : leases) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          FileLock lock = tryLock(channel);
          if (lock == null) {
            used = true;
          } else {
            lock.release();
            Files.deleteIfExists(file);
          }
        } catch (NoSuchFileException e) {
          // released meanwhile
        }
      }
    }
    return used;
  }

  private FileChannel gate(String key) throws IOException {
    Path file = dir.resolve(key + ".gate");
    return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        PrivateFiles.fileAttributes(file));
  }

  /** The lock, or null when another process, or a channel of this JVM, holds it. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /**
   * Polls for the gate: this JVM's channels share one lock table, in which a held lock shows as
   * an overlap rather than a wait. Gates are held for a moment, or for one removal.
   */
  private static FileLock waitFor(FileChannel gate) throws IOException {
    while (true) {
      FileLock lock = tryLock(gate);
      if (lock != null) {
        return lock;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RGridException("interrupted while waiting to use an environment the garbage "
            + "collector is checking", "run it again");
      }
    }
  }

  private static void release(FileChannel channel, FileLock lock, Path file) {
    // Deleted before the lock goes, so that a live lease is never seen stale.
    try (channel) {
      Files.deleteIfExists(file);
      lock.release();
    } catch (IOException e) {
      // A lease file left unlocked is stale: the collector deletes it.
      LoggerFactory.getLogger(EnvironmentLeases.class).debug(
          "could not delete the lease {}: {}", file, e.toString());
    }
  }

  private static void checkKey(String key) {
    if (key == null || !key.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("not an environment key: '" + key + "'");
    }
  }
}
