package dev.rgrid.backend.docker.internal.swarm;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import com.github.dockerjava.api.model.TaskStatus;
import dev.rgrid.backend.docker.ContainerStartException;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.ExitResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the task of one swarm run says, each time its job polls: its exit once it has
 * ended, and which way it failed when it could not run. The swarm reports every failure as a
 * task state, so the kinds are told apart here:
 *
 * <ul>
 *   <li>refused by its node (an image missing there) → a start failure naming the image;
 *   <li>pending because no node meets its placement constraints, past the pending limit → a
 *       start failure no retry cures (pending for want of free CPUs or memory it waits: other
 *       runs end and free them, and the run's timeout bounds the wait);
 *   <li>its node down or gone, or its container removed from under it before its exit was
 *       recorded → the engine unavailable (transient: retried per the run's retry policy);
 *   <li>else its exit code, and the memory limit's kill read from its container.
 * </ul>
 *
 * Used by one thread at a time (its job's await is synchronized).
 */
final class TaskWatch {
  private static final Logger LOG = LoggerFactory.getLogger(TaskWatch.class);
  private static final Set<TaskState> ENDED = Set.of(TaskState.COMPLETE, TaskState.FAILED,
      TaskState.REJECTED, TaskState.SHUTDOWN, TaskState.ORPHANED, TaskState.REMOVE);
  /** States in which the task is on a node. */
  private static final Set<TaskState> ON_A_NODE = Set.of(TaskState.ASSIGNED,
      TaskState.ACCEPTED, TaskState.PREPARING, TaskState.READY, TaskState.STARTING,
      TaskState.RUNNING);
  /** How often the node of a running task is asked after. */
  private static final long NODE_CHECK_NANOS = Duration.ofSeconds(5).toNanos();

  private final Engine engine;
  private final Nodes nodes;
  private final String self;
  private final String name;
  private final String image;
  private final List<String> constraints;
  private final Duration pendingLimit;
  private final Stage stage;
  private long unplaceableSince = -1;
  private boolean waitNoted;
  private long nextNodeCheck;

  TaskWatch(Engine engine, Nodes nodes, String self, String name, String image,
      List<String> constraints, Duration pendingLimit, Stage stage) {
    this.engine = engine;
    this.nodes = nodes;
    this.self = self;
    this.name = name;
    this.image = image;
    this.constraints = constraints;
    this.pendingLimit = pendingLimit;
    this.stage = stage;
    this.nextNodeCheck = System.nanoTime() + NODE_CHECK_NANOS;
  }

  /**
   * The exit of {@code task} when it has ended, empty while it has not.
   *
   * @param killed whether the run was killed (its exit is then 137, whatever the task says)
   * @throws ContainerStartException when it could not start, or can never be placed
   * @throws BackendUnavailableException when its node or its container was lost
   */
  Optional<ExitResult> read(Task task, boolean killed) {
    TaskStatus status = task.getStatus();
    TaskState state = status == null ? null : status.getState();
    if (state == null || !ENDED.contains(state)) {
      if (!killed) {
        waiting(status, state);
        onItsNode(task, state);
      }
      return Optional.empty();
    }
    if (killed) {
      return Optional.of(new ExitResult(137, false));
    }
    String why = status.getErr() == null ? "no reason given" : status.getErr();
    if (state == TaskState.REJECTED) {
      boolean noImage = why.toLowerCase(java.util.Locale.ROOT).contains("image");
      throw new ContainerStartException(name, noImage ? "the image " + image + " is not on node "
          + task.getNodeId() + ", which the swarm chose for " + name + " (" + why + ")"
          : "node " + task.getNodeId() + " refused the task of " + name + ": " + why,
          noImage ? "make " + image + " available on every node that may run it "
              + "(scripts/docker-setup builds the runtime images on a node)"
              : why.contains("no longer meets constraints") ? NO_LONGER_MEETS
              : "check docker service ps --no-trunc " + name, null);
    }
    if (state != TaskState.COMPLETE && state != TaskState.FAILED) {
      throw new BackendUnavailableException(Engine.BACKEND, "the task of " + name + " ended as "
          + state + " on node " + task.getNodeId() + " before its exit was known (" + why
          + ")", "its node was lost or something outside RGrid removed it; the run is tried "
          + "again per its retry policy", null);
    }
    Long code = status.getContainerStatus() == null ? null
        : status.getContainerStatus().getExitCodeLong();
    String container = status.getContainerStatus() == null ? null
        : status.getContainerStatus().getContainerID();
    return Optional.of(new ExitResult(code == null ? -1 : code.intValue(),
        oomKilled(task, container, code)));
  }

  /**
   * What to do about a task its node rejected for "no longer meets constraints" though the
   * scheduler had placed it there: with no constraint in doubt, it is the engine's accounting of
   * the run's reservation, wrong up to the fix of moby/moby#52652 (ended job tasks count against
   * their node for as long as the swarm keeps them).
   */
  static final String NO_LONGER_MEETS = "the run is tried again per its retry policy; if its "
      + "--cpus/--memory reservation keeps being refused on a node with room, the engine counts "
      + "ended job tasks against the node (moby/moby#52652): upgrade the engine, or run without "
      + "--cpus/--memory (the defaults are limits, not reservations)";

  /** Fails a task no node can take for longer than the pending limit; notes a wait for room. */
  private void waiting(TaskStatus status, TaskState state) {
    String err = status == null ? null : status.getErr();
    if (state != TaskState.PENDING || err == null) {
      unplaceableSince = -1;
      return;
    }
    long now = System.nanoTime();
    // "no suitable node (scheduling constraints not satisfied on 2 nodes; insufficient
    // resources on 1 node)": a node short of room may get it back, so only a task that no node's
    // constraints admit at all is given up on.
    if (err.contains("constraints not satisfied") && !err.contains("insufficient")) {
      if (unplaceableSince < 0) {
        unplaceableSince = now;
      } else if (now - unplaceableSince > pendingLimit.toNanos()) {
        throw new ContainerStartException(name, "no node satisfies the placement constraints "
            + constraints + " of " + name + " (the swarm said for " + pendingLimit.toSeconds()
            + " s: " + err + ")", "label a node to match (docker node update --label-add "
            + "KEY=VALUE NODE), or change --constraint", true, null);
      }
    } else if (!waitNoted) {
      waitNoted = true;
      stage.note("waiting for a node with room for this run's reservation (" + err + ")");
    }
  }

  /** Fails a task whose node has gone down, asked every few seconds (never of this node). */
  private void onItsNode(Task task, TaskState state) {
    String node = task.getNodeId();
    if (!ON_A_NODE.contains(state) || node == null || node.equals(self)) {
      return;
    }
    long now = System.nanoTime();
    if (now - nextNodeCheck < 0) {
      return;
    }
    nextNodeCheck = now + NODE_CHECK_NANOS;
    if (nodes.lost(node)) {
      throw new BackendUnavailableException(Engine.BACKEND, "node " + node + ", which ran the "
          + "task of " + name + ", is down or left the swarm", "the run is tried again per its "
          + "retry policy; check the node (docker node ls)", null);
    }
  }

  /**
   * Whether the memory limit killed a process of the task's container. On this node the
   * container must still be there: one removed from under the task (its exit then reads as a
   * kill) lost the run, which is not the script's doing.
   */
  private boolean oomKilled(Task task, String container, Long code) {
    if (container == null || container.isEmpty()) {
      return false;
    }
    try {
      return Boolean.TRUE.equals(engine.control().inspectContainerCmd(container).exec()
          .getState().getOOMKilled());
    } catch (NotFoundException e) {
      if (self != null && self.equals(task.getNodeId())) {
        throw new BackendUnavailableException(Engine.BACKEND, "the container of " + name
            + " was removed before its exit was recorded (the task says exit " + code + ")",
            "something outside RGrid removed it (docker rm, a prune); the run is tried again "
            + "per its retry policy", e);
      }
      return false;
    } catch (RuntimeException e) {
      LOG.debug("the container of {} is not on this node: no word on memory", name, e);
      return false;
    }
  }
}
