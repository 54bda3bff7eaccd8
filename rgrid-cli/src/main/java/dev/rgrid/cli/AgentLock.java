package dev.rgrid.cli;

import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a running agent holds on {@code agent.lock} in the state directory, so that a command
 * can tell whether one runs (and start one only when none does). The operating system releases
 * it when the agent's process ends, however it ends.
 */
final class AgentLock implements AutoCloseable {
  private static final String FILE = "agent.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of the agent of {@code home}, or returns {@code null} when another holds it. */
  static AgentLock tryTake(Path home) {
    FileChannel channel = null;
    try {
      PrivateFiles.createDirectories(home);
      Path file = home.resolve(FILE);
      channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE), PrivateFiles.fileAttributes(file));
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      return new AgentLock(channel, lock);
    } catch (OverlappingFileLockException e) {
      close(channel);
      return null; // held in this very process
    } catch (IOException e) {
      close(channel);
      throw new RGridException("cannot use " + home.resolve(FILE) + ": " + e.getMessage(),
          "make the state directory writable, or set RGRID_HOME to one", null, e);
    }
  }

  /** Whether an agent of {@code home} runs now (holds the lock). */
  static boolean held(Path home) {
    try (AgentLock taken = tryTake(home)) {
      return taken == null;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // The channel's close below releases it as well.
    }
    close(channel);
  }

  private static void close(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was written through it; closing cannot lose anything.
    }
  }
}
