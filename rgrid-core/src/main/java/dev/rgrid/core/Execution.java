package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A handle on one execution, in the spirit of OkHttp's {@code Call}: it is already submitted when
 * you hold it; wait for it, look at it, or cancel it. Thread-safe.
 */
public interface Execution {

  /** Its id. */
  ExecutionId id();

  /** Its current status, read from the store. */
  ExecutionStatus status();

  /** Everything known about it now, read from the store. */
  ExecutionRecord record();

  /**
   * Waits until it has ended.
   *
   * @return its final state
   * @throws InterruptedException when the waiting thread is interrupted (the execution goes on)
   */
  ExecutionRecord await() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for it to end.
   *
   * @return its final state, or empty if it is still queued or running
   */
  Optional<ExecutionRecord> await(Duration timeout) throws InterruptedException;

  /**
   * Asks for it to stop: a queued or waiting execution ends as {@code CANCELLED} at once (the
   * runs waiting for it end {@code SKIPPED}), a running one is killed (with everything it
   * started) and ends as {@code CANCELLED}.
   *
   * @return {@code false} when it had already ended
   */
  boolean cancel();

  /** Its stored log lines so far (stdout and stderr, in order). */
  List<LogLine> logs();

  /** The output files it produced (empty until it has ended). */
  List<Artifact> outputs();

  /**
   * Downloads its output files into {@code directory} (created if missing), keeping their relative
   * paths and verifying their checksums.
   *
   * @return the files written
   */
  List<Path> downloadOutputs(Path directory);
}
