package dev.rgrid.backend.docker.internal.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Task;
import dev.rgrid.backend.docker.ContainerStartException;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ExitResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One swarm run: its service (a job of one task), its internal network, its stage. The exit is
 * read from the task's status, polled, and at once when the task says it is done; the memory
 * limit's kill from the task's container when it ran on this node. Killing removes the service.
 * Closing removes the service, waits (bounded) for its container to go, detaches the relay and
 * removes the network. Safe for use by many threads.
 */
public final class SwarmJob implements Container {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How often the task's state is asked while the task has not said it is done. */
  private static final long POLL_MILLIS = 250;
  /** How often once it has: the engine records the exit a moment after. */
  private static final long DONE_POLL_MILLIS = 20;
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final Engine engine;
  private final Relay relay;
  private final Stage stage;
  private final String token;
  private final String name;
  private final String network;
  private final TaskWatch watch;
  private final Consumer<SwarmJob> onClose;
  private volatile String service;
  private volatile boolean killed;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicReference<ExitResult> exit =
      new java.util.concurrent.atomic.AtomicReference<>();

  private SwarmJob(Engine engine, Relay relay, Stage stage, String token, String name,
      String network, TaskWatch watch, Consumer<SwarmJob> onClose) {
    this.engine = engine;
    this.watch = watch;
    this.relay = relay;
    this.stage = stage;
    this.token = token;
    this.name = name;
    this.network = network;
    this.onClose = onClose;
  }

  /**
   * Checks that some node could ever hold the run's reservation, then opens the stage, makes the
   * run's network, attaches the relay and creates the service. What was made is removed again
   * when a step fails.
   *
   * @throws ContainerStartException when no node is large enough, or the engine refuses the
   *     service
   */
  public static SwarmJob launch(Engine engine, Relay relay, SwarmRecipe recipe, Placing placing,
      dev.rgrid.spi.runtime.ContainerSpec spec, Stage stage, String name,
      Consumer<SwarmJob> onClose) {
    try {
      placing.nodes().requireRoomFor(name, recipe.nanoCpus(spec.limits()),
          recipe.memoryBytes(spec.limits()));
    } catch (RuntimeException e) {
      stage.closeStdin();
      throw e;
    }
    String token = relay.staging().open(stage);
    String network;
    try {
      network = engine.control().createNetworkCmd().withName(name).withDriver("overlay")
          // A run that asks for the network gets egress through the node's gateway bridge, as
          // a Docker runtime run gets it through the default bridge; any other, none at all.
          .withInternal(!spec.limits().network()).withAttachable(true).withLabels(recipe.labels(spec.labels()))
          .exec().getId();
    } catch (RuntimeException e) {
      relay.staging().close(token);
      stage.closeStdin();
      throw engine.failure("create the network of " + name, e);
    }
    TaskWatch watch = new TaskWatch(engine, placing.nodes(), placing.self(), name,
        spec.runtime().image(), spec.limits().constraints(), placing.pendingLimit(), stage);
    SwarmJob job = new SwarmJob(engine, relay, stage, token, name, network, watch, onClose);
    try {
      String address = relay.attach(network);
      String url = "http://" + address + ":" + Relay.PORT + "/s/" + token;
      byte[] body = recipe.create(spec, name, network, url);
      byte[] answer;
      try {
        answer = engine.post("/services/create", body);
      } catch (DockerException e) {
        throw new ContainerStartException(name, "the Docker engine at " + engine.endpoint()
            + " refused the service " + name + ": " + Engine.message(e), "check that it is a "
            + "swarm manager (docker node ls) and that the run's limits fit a node",
            e.getHttpStatus() == 400, e);
      }
      job.service = JSON.readTree(answer).path("ID").asText();
      return job;
    } catch (IOException | RuntimeException e) {
      try {
        job.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new BackendUnavailableException(Engine.BACKEND, "unreadable answer to the creation "
          + "of service " + name + ": " + e.getMessage(), Engine.HINT, e);
    }
  }

  /** The service's id. */
  @Override
  public String id() {
    return service;
  }

  /** The service's and the network's name. */
  public String name() {
    return name;
  }

  /** The run's network's id. */
  public String network() {
    return network;
  }

  /**
   * Waits for the task to end: the exit code from its status, the memory limit's kill from its
   * container. A task that could not run is an error, of the kinds {@link TaskWatch} tells
   * apart (an image missing on its node, no node meeting its constraints, its node lost).
   */
  @Override
  public synchronized Optional<ExitResult> await(Duration timeout) throws InterruptedException {
    if (exit.get() != null) {
      return Optional.of(exit.get());
    }
    long deadline = System.nanoTime() + nanos(timeout);
    boolean done = false;
    while (true) {
      Optional<ExitResult> ended = check();
      if (ended.isPresent()) {
        for (String path : stage.refused()) {
          stage.note("not returned as an output (past the staging limit): " + path);
        }
        stage.endStreams();
        exit.set(ended.get());
        return ended;
      }
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return Optional.empty();
      }
      if (done) {
        Thread.sleep(Math.min(left, DONE_POLL_MILLIS));
      } else {
        done = stage.awaitDone(Math.min(left, POLL_MILLIS));
      }
    }
  }

  /** Removes the service: its task is killed at once. Safe at any time, repeatedly. */
  @Override
  public void kill() {
    if (exit.get() != null) {
      return;
    }
    killed = true;
    // Engine 20.10 does not stop the running task of a job service it removes (and may still
    // start a pending one): the task's containers on this node are killed and removed first.
    removeContainers();
    removeService();
    removeContainers();
  }

  /** Kills what runs and removes the service, the network and the stage. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      killed = killed || exit.get() == null;
      removeContainers();
      removeService();
      settle(() -> removeContainers() == 0);
      try {
        relay.detach(network);
      } finally {
        // Even when the detach failed: a network left here is only swept at the runtime's close.
        settle(this::removeNetwork);
      }
    } finally {
      relay.staging().close(token);
      stage.closeStdin();
      stage.endStreams();
      onClose.accept(this);
    }
  }

  private Optional<ExitResult> check() {
    String id = service;
    List<Task> tasks;
    try {
      tasks = engine.control().listTasksCmd().withServiceFilter(id).exec();
    } catch (NotFoundException e) {
      tasks = List.of();
    } catch (RuntimeException e) {
      throw engine.failure("list the tasks of service " + name, e);
    }
    if (tasks.isEmpty()) {
      if (killed) {
        return Optional.of(new ExitResult(137, false));
      }
      return Optional.empty(); // not scheduled yet
    }
    return watch.read(tasks.get(0), killed);
  }

  private void removeService() {
    String id = service;
    if (id == null) {
      return;
    }
    try {
      engine.control().removeServiceCmd(id).exec();
    } catch (NotFoundException e) {
      // Already removed.
    } catch (RuntimeException e) {
      throw engine.failure("remove service " + name, e);
    }
  }

  /**
   * Removes (killing) the containers of the service's tasks on this node.
   *
   * @return how many there were
   */
  private int removeContainers() {
    String id = service;
    if (id == null) {
      return 0;
    }
    List<com.github.dockerjava.api.model.Container> found;
    try {
      found = engine.control().listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of("com.docker.swarm.service.id", id)).exec();
    } catch (RuntimeException e) {
      throw engine.failure("list the containers of service " + name, e);
    }
    for (com.github.dockerjava.api.model.Container c : found) {
      try {
        engine.control().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true)
            .exec();
      } catch (NotFoundException | com.github.dockerjava.api.exception.ConflictException e) {
        // Already gone, or being removed by the swarm.
      } catch (RuntimeException e) {
        throw engine.failure("remove a container of service " + name, e);
      }
    }
    return found.size();
  }

  private boolean removeNetwork() {
    try {
      engine.control().removeNetworkCmd(network).exec();
      return true;
    } catch (NotFoundException e) {
      return true;
    } catch (DockerException e) {
      return false; // still in use by a container going away
    }
  }

  /** Polls {@code condition} until it holds or {@link #SETTLE} has passed. */
  private void settle(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        LOG.warn("{} did not settle within {}; the leftover sweep removes what is left", name,
            SETTLE);
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static long nanos(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public String toString() {
    return "SwarmJob[" + name + "]";
  }
}
