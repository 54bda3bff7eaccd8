package dev.rgrid.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where an {@link RGrid} runs the work submitted to it, as of the call to {@link
 * RGrid#placement()}: so that a caller can say where a run goes (and how isolated it is) before
 * submitting, and refuse to wait for work nothing will run.
 *
 * @param mode which kind of state the instance works on
 * @param runtime the container runtime scripts run with on this machine; present only when work
 *     runs on this machine: on this process's workers or, embedded, on an agent beside it (empty:
 *     the cluster's or the server's workers run it)
 * @param liveWorkers how many workers are alive on the instance's queue, this process's own
 *     included; empty when it cannot be known from here (a server's workers)
 */
public record Placement(Mode mode, Optional<LocalRuntime> runtime, OptionalInt liveWorkers) {
  /** Checks that no component is null. */
  public Placement {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(liveWorkers, "liveWorkers");
  }

  /** The kind of state an instance works on. */
  public enum Mode {
    /** State on this machine ({@code ~/.rgrid}), run by this process or an agent beside it. */
    EMBEDDED,
    /** Shared state (PostgreSQL and a shared blob store), run by the cluster's workers. */
    SHARED,
    /** A server, whose workers run the work. */
    REMOTE
  }

  /**
   * The container runtime of this process's workers.
   *
   * @param name its name ({@code docker}, {@code process})
   * @param isolates whether scripts are isolated from this machine (a container, not a process)
   * @param notice why RGrid chose it instead of the preferred one, when it chose by itself (no
   *     Docker engine answered, for one)
   */
  public record LocalRuntime(String name, boolean isolates, Optional<String> notice) {
    /** Checks that no component is null. */
    public LocalRuntime {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(notice, "notice");
    }
  }

  /** The placement of a server's client: its workers run everything, out of sight. */
  public static Placement remote() {
    return new Placement(Mode.REMOTE, Optional.empty(), OptionalInt.empty());
  }

  /** Whether work submitted to the instance runs on this machine. */
  public boolean runsWorkHere() {
    return runtime.isPresent();
  }
}
