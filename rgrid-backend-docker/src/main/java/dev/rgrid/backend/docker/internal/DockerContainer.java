package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ExitResult;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started container. Its exit is determined once, on docker-java's stream thread, when its
 * output stream has ended: every byte has then reached the sink, and the engine is asked for the
 * exit code and whether the memory limit killed it. Safe for use by many threads.
 */
public final class DockerContainer implements Container {
  private static final Logger LOG = LoggerFactory.getLogger(DockerContainer.class);
  // How long close() waits for a killed container's output to end before removing it anyway.
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
  // The engine's states of a container being removed, or left dead by a failed removal.
  private static final java.util.Set<String> REMOVED = java.util.Set.of("removing", "dead");

  private final Engine engine;
  private final String id;
  private final String name;
  private final InputStream stdin;
  private final Consumer<DockerContainer> onClose;
  private final CompletableFuture<ExitResult> exit = new CompletableFuture<>();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean started;
  private volatile OutputPump pump;
  private volatile StdinFeeder feeder;
  // Runs once, after the container has ended and before its exit is told (a warm container
  // hands its working directory back there). Guarded by this; null once taken.
  private Runnable beforeExit;
  private boolean exitTaken;

  /**
   * A created container, not yet started.
   *
   * @param stdin the stream fed to the script, closed with the container, or {@code null}
   * @param onClose runs once when the container is closed
   */
  DockerContainer(Engine engine, String id, String name, InputStream stdin,
      Consumer<DockerContainer> onClose) {
    this.engine = engine;
    this.id = id;
    this.name = name;
    this.stdin = stdin;
    this.onClose = onClose;
  }

  @Override
  public String id() {
    return id;
  }

  /** The container's name on the engine. */
  public String name() {
    return name;
  }

  /** The output pump; set once, before the start. */
  void pump(OutputPump value) {
    pump = value;
  }

  /** The stdin feeder, when there is stdin; set once, before the start. */
  void feeder(StdinFeeder value) {
    feeder = value;
  }

  /**
   * Sets what runs once the container has ended, before {@link #await} returns its exit (and on
   * {@link #close}, if the exit was never determined).
   *
   * @return false when the container has already ended: the hook was not set
   */
  synchronized boolean beforeExit(Runnable hook) {
    if (exitTaken) {
      return false;
    }
    beforeExit = hook;
    return true;
  }

  /** Whether its exit has been determined (or is being determined). */
  synchronized boolean ended() {
    return exitTaken;
  }

  private Runnable takeHook() {
    synchronized (this) {
      exitTaken = true;
      Runnable hook = beforeExit;
      beforeExit = null;
      return hook;
    }
  }

  /** Called once the engine has started it. */
  void started() {
    started = true;
    // The stream may have ended (broken off) between the attach and the start: its end was
    // ignored then, so the exit is determined here, off the caller's thread since it may wait.
    OutputPump p = pump;
    if (p != null && p.ended()) {
      Thread t = new Thread(this::finish, "rgrid-docker-finish-" + name);
      t.setDaemon(true);
      t.start();
    }
  }

  /** Called by the pump when the output stream has ended. */
  void streamEnded() {
    if (started) {
      finish();
    }
  }

  /**
   * Waits for the exit; the output has been delivered when it returns one.
   *
   * @throws BackendUnavailableException when the engine could not tell how the container ended
   */
  @Override
  public Optional<ExitResult> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(exit.get(nanos(timeout), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RGridException r) {
        throw r;
      }
      throw new BackendUnavailableException(Engine.BACKEND, "could not tell how container "
          + name + " ended: " + e.getCause(), Engine.HINT, e.getCause());
    }
  }

  /**
   * Sends SIGKILL to the container's pid 1 (its init); when pid 1 of a PID namespace dies, the
   * kernel kills every other process in it, so nothing the script started survives. Any thread,
   * any time, repeatedly; a container that has ended or was removed is left alone.
   */
  @Override
  public void kill() {
    if (exit.isDone()) {
      return;
    }
    try {
      engine.control().killContainerCmd(id).withSignal("KILL").exec();
    } catch (NotFoundException | ConflictException e) {
      // Not running any more, or already removed: there is nothing left to kill.
      LOG.debug("kill of container {}: {}", name, Engine.message(e));
    } catch (RuntimeException e) {
      throw engine.failure("kill container " + name, e);
    }
  }

  /**
   * Kills the container if it still runs, waits (bounded) for its output to end, removes it with
   * its anonymous volumes and releases its stream and stdin. Idempotent.
   *
   * @throws BackendUnavailableException when the engine could not remove it
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RGridException failure = null;
    boolean interrupted = false;
    try {
      // A container that never started (its launch failed) has no exit to wait for.
      if (started && !exit.isDone()) {
        try {
          kill();
        } catch (RGridException e) {
          failure = e;
        }
        try {
          exit.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          LOG.warn("container {} did not end within {} of being killed; removing it anyway",
              name, CLOSE_WAIT);
        } catch (ExecutionException e) {
          // Already reported to whoever awaited it; removal below is what matters now.
          LOG.debug("container {} ended without a known exit", name, e.getCause());
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      Runnable hook = takeHook();
      if (hook != null) {
        try {
          hook.run();
        } catch (RGridException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      try {
        engine.control().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
      } catch (NotFoundException e) {
        LOG.debug("container {} was already removed", name);
      } catch (RuntimeException e) {
        RGridException removal = engine.failure("remove container " + name, e);
        if (failure == null) {
          failure = removal;
        } else {
          failure.addSuppressed(removal);
        }
      }
    } finally {
      OutputPump p = pump;
      if (p != null) {
        p.close();
      }
      closeStdin();
      onClose.accept(this);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "DockerContainer[" + name + ", " + id.substring(0, Math.min(12, id.length())) + "]";
  }

  private void finish() {
    if (!finishing.compareAndSet(false, true)) {
      return;
    }
    try {
      ExitResult result = null;
      RuntimeException failure = null;
      try {
        result = exitResult();
      } catch (RuntimeException e) {
        failure = e;
      }
      Runnable hook = takeHook();
      if (hook != null) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        exit.completeExceptionally(failure);
      } else {
        exit.complete(result);
      }
    } finally {
      closeStdin();
    }
  }

  private ExitResult exitResult() {
    InspectContainerResponse.ContainerState state = inspect();
    if (Boolean.TRUE.equals(state.getRunning())) {
      // The output ended before the engine recorded the exit (or the stream broke off): wait for
      // the exit itself, without a timeout, as long as the container runs.
      try {
        engine.streams().waitContainerCmd(id).exec(new WaitContainerResultCallback())
            .awaitStatusCode();
      } catch (NotFoundException e) {
        throw gone(e);
      } catch (RuntimeException e) {
        throw engine.failure("wait for container " + name, e);
      }
      state = inspect();
    }
    if (REMOVED.contains(state.getStatus()) && !closed.get()) {
      // `docker rm -f` kills first (exit 137) and removes after: the script did not end, it was
      // taken away by something outside RGrid. Said as such, so the run is retried rather than
      // recorded as the script's own failure.
      throw gone(null);
    }
    Long code = state.getExitCodeLong();
    return new ExitResult(code == null ? -1 : code.intValue(),
        Boolean.TRUE.equals(state.getOOMKilled()));
  }

  private InspectContainerResponse.ContainerState inspect() {
    try {
      return engine.control().inspectContainerCmd(id).exec().getState();
    } catch (NotFoundException e) {
      throw gone(e);
    } catch (RuntimeException e) {
      throw engine.failure("inspect container " + name, e);
    }
  }

  private BackendUnavailableException gone(RuntimeException e) {
    return new BackendUnavailableException(Engine.BACKEND, "container " + name + " was removed "
        + "from the Docker engine at " + engine.endpoint() + " before its exit was known",
        "something outside RGrid removed it (docker rm, docker system prune); run it again", e);
  }

  private void closeStdin() {
    StdinFeeder f = feeder;
    if (f != null) {
      f.close();
    }
    if (stdin == null) {
      return;
    }
    try {
      stdin.close();
    } catch (java.io.IOException e) {
      LOG.debug("closing the stdin of container {} failed", name, e);
    }
  }

  /** The timeout in nanoseconds, negative as zero and beyond ~292 years as forever. */
  private static long nanos(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
