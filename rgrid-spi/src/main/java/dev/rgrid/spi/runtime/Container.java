package dev.rgrid.spi.runtime;

import java.time.Duration;
import java.util.Optional;

/** A started container (or process). Closing it removes everything it left behind. */
public interface Container extends AutoCloseable {

  /** The runtime's id for it (container id, process id). */
  String id();

  /**
   * Waits until the main process has exited and its output has been delivered to the sink.
   *
   * @return the exit, or empty when {@code timeout} passed first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  Optional<ExitResult> await(Duration timeout) throws InterruptedException;

  /** Kills the main process and everything it started. Safe to call at any time, repeatedly. */
  void kill();

  /** Kills what still runs and removes the container and its resources. */
  @Override
  void close();
}
