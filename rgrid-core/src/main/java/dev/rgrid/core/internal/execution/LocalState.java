package dev.rgrid.core.internal.execution;

import dev.rgrid.core.ExecutionListener;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.store.ExecutionRecord;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this RGrid instance knows beyond the store: the listeners and stdin of executions it
 * submitted, completion signals for waiting handles, and the containers it is running.
 */
public final class LocalState {
  private static final Logger LOG = LoggerFactory.getLogger(LocalState.class);

  /** One execution this instance submitted. */
  public record Submitted(ExecutionListener listener, InputStream stdin,
      CompletableFuture<ExecutionRecord> done) {}

  /** One execution this instance is running. */
  public static final class Running {
    private volatile Container container;
    private volatile boolean cancelled;
    private volatile boolean lost;
    private volatile Integer exitCode;
    private volatile String why;

    synchronized void attach(Container c) {
      container = c;
      if (cancelled || lost) {
        c.kill();
      }
    }

    /** Stops the run at the user's request. */
    public synchronized void cancel() {
      cancelled = true;
      if (container != null) {
        container.kill();
      }
    }

    /** Stops this copy of the run, which is no longer this worker's to end; {@code why} says why. */
    public synchronized void lose(String why) {
      this.why = why;
      lost = true;
      if (container != null) {
        container.kill();
      }
    }

    boolean cancelled() {
      return cancelled;
    }

    boolean lost() {
      return lost;
    }

    /** Whether the script was started: from then on, its effects may have happened. */
    boolean started() {
      return container != null;
    }

    /** Records the exit code of a script that exited on its own. */
    void exited(int code) {
      exitCode = code;
    }

    /** The script's exit code, when it exited on its own; else {@code null}. */
    Integer exitCode() {
      return exitCode;
    }

    /** Why it was lost, once {@link #lost()}. */
    String why() {
      return why;
    }
  }

  private final Map<ExecutionId, Submitted> submitted = new ConcurrentHashMap<>();
  private final Map<ExecutionId, Running> running = new ConcurrentHashMap<>();

  /** Remembers the listener and standard input of an execution submitted here. */
  public Submitted register(ExecutionId id, ExecutionListener listener, InputStream stdin) {
    Submitted s = new Submitted(listener, stdin, new CompletableFuture<>());
    submitted.put(id, s);
    return s;
  }

  /**
   * Leaves the listener of {@code id} to a follower of its stored log (an instance without
   * workers of its own): the follower tells it the rest, the end last, so this instance must not
   * tell it the end too when it learns of it. The wait for the end stays.
   */
  public void handOver(ExecutionId id) {
    submitted.computeIfPresent(id,
        (key, s) -> new Submitted(ExecutionListener.NONE, s.stdin(), s.done()));
  }

  /** Drops an execution whose submission failed. */
  public void forget(ExecutionId id) {
    submitted.remove(id);
  }

  /** The execution submitted here and not yet ended, or null. */
  public Submitted submitted(ExecutionId id) {
    return submitted.get(id);
  }

  ExecutionListener listener(ExecutionId id) {
    Submitted s = submitted.get(id);
    return s == null ? ExecutionListener.NONE : s.listener();
  }

  InputStream stdin(ExecutionId id) {
    Submitted s = submitted.get(id);
    return s == null ? null : s.stdin();
  }

  /** Tells the listener and any waiting handle about a new state; completes on a terminal one. */
  public void publish(ExecutionRecord record) {
    Submitted s = submitted.get(record.id());
    if (s == null) {
      return;
    }
    try {
      s.listener().onStatus(record);
    } catch (RuntimeException e) {
      LOG.warn("execution listener failed for {}", record.id(), e);
    }
    if (record.status().isTerminal()) {
      s.done().complete(record);
      submitted.remove(record.id());
    }
  }

  Running startRunning(ExecutionId id) {
    Running r = new Running();
    running.put(id, r);
    return r;
  }

  /** The execution this instance is running, or null. */
  public Running running(ExecutionId id) {
    return running.get(id);
  }

  void stopRunning(ExecutionId id) {
    running.remove(id);
  }

  /** Every execution this instance is running, live. */
  public Map<ExecutionId, Running> allRunning() {
    return running;
  }
}
