package dev.rgrid.backend.docker;

import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.scale.ScaledMachine;
import dev.rgrid.spi.scale.WorkerScaler;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A replicated Docker Swarm service as a pool of worker machines: its replicas are read from and
 * set in the service's spec (what {@code docker service scale NAME=N} does), its machines are the
 * service's tasks meant to run, each started when its task was created. On a real cluster each
 * task stands for one machine (one worker per node, {@code max_replicas_per_node: 1}); Swarm
 * picks which tasks stop when the service shrinks.
 */
public final class SwarmServiceScaler implements WorkerScaler {
  /** Docker's rule for service names (the same as for containers, without the slash). */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
  private static final String HINT_MISSING = "deploy it first (docker stack deploy -c "
      + "deploy/stack.yaml rgrid), or name an existing one: docker service ls";
  /** Another writer changed the spec between our read and our update: read and try again. */
  private static final int UPDATE_TRIES = 3;

  private final Engine engine;
  private final String service;

  private SwarmServiceScaler(Engine engine, String service) {
    this.engine = engine;
    this.service = service;
  }

  /**
   * Connects to the engine of {@code settings} (a Swarm manager) and checks that {@code service}
   * is a replicated service there.
   *
   * @throws IllegalArgumentException if {@code service} is not a valid service name
   * @throws NotFoundException if there is no such service
   * @throws RGridException if it is not replicated, or the engine is not a Swarm manager
   * @throws dev.rgrid.spi.BackendUnavailableException if the engine does not answer
   */
  public static SwarmServiceScaler open(DockerSettings settings, String service) {
    Objects.requireNonNull(service, "service");
    if (!NAME.matcher(service).matches()) {
      throw new IllegalArgumentException("'" + service + "' is not a Docker service name "
          + "(letters, digits, '_', '.', '-', at most 63)");
    }
    Engine engine = Engine.connect(settings);
    SwarmServiceScaler scaler = new SwarmServiceScaler(engine, service);
    try {
      scaler.replicated(scaler.inspect());
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    return scaler;
  }

  @Override
  public String describe() {
    return "swarm service " + service;
  }

  @Override
  public int replicas() {
    return (int) replicated(inspect()).getReplicated().getReplicas();
  }

  @Override
  public List<ScaledMachine> machines() {
    List<Task> tasks;
    try {
      tasks = engine.control().listTasksCmd().withServiceFilter(service).exec();
    } catch (RuntimeException e) {
      throw engine.failure("list the tasks of service " + service, e);
    }
    List<ScaledMachine> machines = new ArrayList<>();
    for (Task task : tasks) {
      // Tasks of the past (shut down, failed) stay listed for a while; only those meant to run
      // are machines of the pool.
      if (task.getDesiredState() == TaskState.RUNNING && task.getCreatedAt() != null) {
        machines.add(new ScaledMachine(task.getId(), created(task)));
      }
    }
    machines.sort(Comparator.comparing(ScaledMachine::startedAt).thenComparing(ScaledMachine::id));
    return machines;
  }

  @Override
  public void setReplicas(int replicas) {
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas cannot be negative: " + replicas);
    }
    for (int attempt = 1; ; attempt++) {
      Service current = inspect();
      ServiceSpec spec = current.getSpec();
      replicated(current).getReplicated().withReplicas(replicas);
      try {
        engine.control().updateServiceCmd(current.getId(), spec)
            .withVersion(current.getVersion().getIndex()).exec();
        return;
      } catch (NotModifiedException e) {
        return;
      } catch (com.github.dockerjava.api.exception.DockerException e) {
        // 500 "update out of sequence": the spec changed since we read it.
        if (attempt < UPDATE_TRIES && Engine.message(e).contains("out of sequence")) {
          continue;
        }
        throw engine.failure("set the replicas of service " + service + " to " + replicas, e);
      } catch (RuntimeException e) {
        throw engine.failure("set the replicas of service " + service + " to " + replicas, e);
      }
    }
  }

  @Override
  public void close() {
    engine.close();
  }

  private Service inspect() {
    try {
      return engine.control().inspectServiceCmd(service).exec();
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      throw new NotFoundException("there is no swarm service " + service + " at "
          + engine.endpoint(), HINT_MISSING);
    } catch (RuntimeException e) {
      if (e instanceof com.github.dockerjava.api.exception.DockerException d
          && Engine.message(d).contains("not a swarm manager")) {
        throw new RGridException("the Docker engine at " + engine.endpoint() + " is not a swarm "
            + "manager, so it has no service " + service, "run rgrid autoscale against a "
            + "manager (DOCKER_HOST), or docker swarm init there first");
      }
      throw engine.failure("inspect service " + service, e);
    }
  }

  private ServiceModeConfig replicated(Service s) {
    ServiceModeConfig mode = s.getSpec() == null ? null : s.getSpec().getMode();
    if (mode == null || mode.getReplicated() == null) {
      throw new RGridException("swarm service " + service + " is not replicated (global mode), "
          + "so its replicas cannot be set", "deploy the workers with deploy.mode: replicated");
    }
    return mode;
  }

  private Instant created(Task task) {
    try {
      return Instant.parse(task.getCreatedAt());
    } catch (DateTimeParseException e) {
      throw new RGridException("the Docker engine at " + engine.endpoint() + " gave task "
          + task.getId() + " of service " + service + " an unreadable creation time: "
          + task.getCreatedAt(), "report this with the engine's version (docker version)");
    }
  }
}
