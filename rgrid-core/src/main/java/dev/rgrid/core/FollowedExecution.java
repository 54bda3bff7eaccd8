package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An execution that other workers run (a server's, the cluster's), whose {@link
 * ExecutionListener} is fed from its stored log as the lines arrive, so that a listener hears a
 * run the same wherever it runs. For {@link RGrid} implementations: {@link RGrid#run} returns
 * one when its own workers do not run the work.
 *
 * <p>A thread of its own follows the log from the start: each stored line goes to {@link
 * ExecutionListener#onLogLine}, and the script's lines also to {@link ExecutionListener#onOutput}
 * as their text and a newline (the stored, decoded line: the exact bytes stay with the
 * execution's own workers); the final record goes to {@link ExecutionListener#onStatus}. {@link
 * #await()} returns once the listener has heard everything, so output is never cut short. A
 * listener that overrides only {@link ExecutionListener#onNotice} is not followed for.
 */
public final class FollowedExecution implements Execution {
  private static final Logger LOG = LoggerFactory.getLogger(FollowedExecution.class);

  /** How the log of an execution is followed: {@link RGrid#followLogs} has this shape. */
  @FunctionalInterface
  public interface LogFollowing {
    /** Delivers the lines after {@code afterSeq} until the execution ended; its final record. */
    ExecutionRecord follow(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
        throws InterruptedException;
  }

  private final Execution delegate;
  private final Thread follower;

  private FollowedExecution(Execution delegate, ExecutionListener listener, LogFollowing logs) {
    this.delegate = delegate;
    this.follower = new Thread(() -> feed(delegate.id(), listener, logs),
        "rgrid-follow-" + delegate.id().value());
    follower.setDaemon(true); // a process that exits does not wait to hear the rest
  }

  /**
   * {@code execution}, its {@code listener} fed by following its log with {@code logs}; {@code
   * execution} itself when there is no listener to feed.
   */
  public static Execution of(Execution execution, ExecutionListener listener,
      LogFollowing logs) {
    Objects.requireNonNull(execution, "execution");
    Objects.requireNonNull(logs, "logs");
    if (listener == null || !hearsRuns(listener)) {
      return execution;
    }
    FollowedExecution followed = new FollowedExecution(execution, listener, logs);
    followed.follower.start();
    return followed;
  }

  /**
   * Whether {@code listener} wants more than notices: following a log costs a connection, which
   * a listener that only hears notices (or a detached run) does not need.
   */
  static boolean hearsRuns(ExecutionListener listener) {
    for (Method m : ExecutionListener.class.getMethods()) {
      if (m.isDefault() && !m.getName().equals("onNotice")) {
        try {
          Method own = listener.getClass().getMethod(m.getName(), m.getParameterTypes());
          if (own.getDeclaringClass() != ExecutionListener.class) {
            return true;
          }
        } catch (NoSuchMethodException e) {
          throw new IllegalStateException(e); // cannot be: the class implements the interface
        }
      }
    }
    return false;
  }

  private static void feed(ExecutionId id, ExecutionListener listener, LogFollowing logs) {
    try {
      ExecutionRecord end = logs.follow(id, 0, line -> {
        if (line.stream() != LogStream.SYSTEM) {
          tell(id, () -> listener.onOutput(line.stream(),
              (line.text() + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        tell(id, () -> listener.onLogLine(line));
      });
      tell(id, () -> listener.onStatus(end));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The execution goes on without its listener; losing the server or the store (or closing
      // the RGrid) is for await() to report, not this thread.
      LOG.debug("stopped following the log of {} for its listener: {}", id, e.toString());
    }
  }

  /** A listener that throws is its own caller's bug: said, and the next call still made. */
  private static void tell(ExecutionId id, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("execution listener failed for {}", id, e);
    }
  }

  @Override
  public ExecutionId id() {
    return delegate.id();
  }

  @Override
  public ExecutionStatus status() {
    return delegate.status();
  }

  @Override
  public ExecutionRecord record() {
    return delegate.record();
  }

  @Override
  public ExecutionRecord await() throws InterruptedException {
    ExecutionRecord end = delegate.await();
    follower.join(); // it ends once it has delivered the last line of an ended execution
    return end;
  }

  @Override
  public Optional<ExecutionRecord> await(Duration timeout) throws InterruptedException {
    Duration forever = Duration.ofNanos(Long.MAX_VALUE / 4); // beyond: no nanosecond overflow
    long deadline = System.nanoTime() + (timeout.compareTo(forever) >= 0 ? forever.toNanos()
        : Math.max(0, timeout.toNanos()));
    Optional<ExecutionRecord> end = delegate.await(timeout);
    if (end.isPresent()) {
      long left = deadline - System.nanoTime();
      follower.join(Math.max(1, left / 1_000_000)); // the lines in flight, within the timeout
    }
    return end;
  }

  @Override
  public boolean cancel() {
    return delegate.cancel();
  }

  @Override
  public List<LogLine> logs() {
    return delegate.logs();
  }

  @Override
  public List<Artifact> outputs() {
    return delegate.outputs();
  }

  @Override
  public List<Path> downloadOutputs(Path directory) {
    return delegate.downloadOutputs(directory);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
