package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.CloseAll;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Images;
import dev.rgrid.backend.docker.internal.Launcher;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.RunAs;
import dev.rgrid.backend.docker.internal.swarm.Nodes;
import dev.rgrid.backend.docker.internal.swarm.Placing;
import dev.rgrid.backend.docker.internal.swarm.Relay;
import dev.rgrid.backend.docker.internal.swarm.Stage;
import dev.rgrid.backend.docker.internal.swarm.SwarmJob;
import dev.rgrid.backend.docker.internal.swarm.SwarmLeftovers;
import dev.rgrid.backend.docker.internal.swarm.SwarmRecipe;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each script as a Docker Swarm job, so that the swarm's scheduler picks the node: a
 * {@code replicated-job} service of one task, never restarted, with the Docker runtime's
 * hardening (read-only root, non-root, no capabilities, an init, CPU, memory and pids limits, the
 * CPU and memory a run asks for also reserved). No host directory is mounted: the task runs a small Python
 * bootstrap that fetches its run (command, environment, input and script files, stdin) over HTTP
 * from this JVM's staging server with a token valid for this one execution, sends its output
 * back as it comes, and uploads the files it created or changed into the run's working directory
 * when the script has ended; its exit code is read from the task's status.
 *
 * <p>The CPU and memory a run asks for ({@code --cpus}, {@code --memory}) are reserved as well as
 * limited (the defaults only limit: how many runs go at once is RGrid's to say, and the engine's
 * accounting of reservations is wrong before moby/moby#52652's fix), and its placement constraints
 * ({@code --constraint node.labels.gpu==true}) go into the service: the swarm's scheduler picks
 * a node that meets them and has the room. A run no node could ever hold (more CPUs or memory
 * than the largest node has) is refused before anything is made; one whose constraints no node
 * meets fails once its task has been pending for the pending limit; one waiting for room waits,
 * within its timeout. A task refused by its node (its image missing there) is a start failure
 * naming the image; a task whose node went down, or whose container was removed from under it,
 * is a transient failure that the run's retry policy retries.
 *
 * <p>Each run gets its own internal, attachable overlay network, whose only other member is this
 * JVM's relay (see {@code internal.swarm.Relay}): the task has no route out, no name server that
 * answers and no other peer, and reaches the staging server only through the relay. Services and
 * networks carry the run's labels, RGrid's mark and this JVM's identity, so that those of a
 * crashed process are removed by a later runtime on the same machine. A run that asks for the
 * network ({@code --network}) gets the same network made not internal instead: egress through
 * its node's gateway bridge and the node's name servers, as the Docker runtime's default bridge
 * gives it.
 *
 * <p>Not yet: Python environments (requirements), images
 * without {@code python3} (the bootstrap needs it), disk-backed workspaces ({@code /work} is in
 * memory and counts against the memory limit).
 */
public final class SwarmRuntime implements ContainerRuntime {
  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(true, true,
      false, true);
  /** The most a run's outputs may take in all, by default. */
  public static final long DEFAULT_STAGING_LIMIT = 4L << 30;
  /** How long a task that no node's constraints match may stay pending, by default. */
  public static final Duration DEFAULT_PENDING_LIMIT = Duration.ofSeconds(60);
  private static final Logger LOG = LoggerFactory.getLogger(SwarmRuntime.class);
  /** How long a close waits for the engine to free a network the relay held. */
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(10);

  private final DockerSettings settings;
  private final Engine engine;
  private final Images images;
  private final SwarmRecipe recipe;
  private final Relay relay;
  private final SwarmLeftovers leftovers;
  private final long stagingLimit;
  private final Placing placing;
  private final Set<SwarmJob> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * As {@link #SwarmRuntime(DockerSettings, long, Duration)} with the {@link
   * #DEFAULT_PENDING_LIMIT}.
   */
  public SwarmRuntime(DockerSettings settings, long stagingLimit) {
    this(settings, stagingLimit, DEFAULT_PENDING_LIMIT);
  }

  /**
   * Connects to the engine of {@code settings}, which must be a swarm manager, removes what
   * ended RGrid processes of this machine left, and starts the staging server and the relay.
   *
   * @param stagingLimit the most one run's outputs may take in all
   * @param pendingLimit how long a run's task may stay pending because no node meets its
   *     placement constraints before the run fails (a task waiting for CPUs or memory to come
   *     free waits on, bounded by the run's timeout)
   * @throws BackendUnavailableException when the engine does not answer or is no manager
   */
  public SwarmRuntime(DockerSettings settings, long stagingLimit, Duration pendingLimit) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (stagingLimit < 1) {
      throw new IllegalArgumentException("stagingLimit must be positive, was " + stagingLimit);
    }
    this.stagingLimit = stagingLimit;
    Objects.requireNonNull(pendingLimit, "pendingLimit");
    Engine connected = Engine.connect(settings);
    try {
      requireManager(connected);
      this.engine = connected;
      Nodes nodes = new Nodes(connected);
      this.placing = new Placing(nodes, nodes.self(), pendingLimit);
      String user = RunAs.choose(settings.user()).user();
      this.images = new Images(connected, settings.pullTimeout());
      this.recipe = new SwarmRecipe(settings, user, Owner.current(),
          java.util.UUID.randomUUID().toString());
      this.leftovers = new SwarmLeftovers(connected);
      leftovers.removeRunsOfEndedOwners(labels -> null);
      this.relay = Relay.start(connected, Owner.current(), user);
    } catch (RuntimeException e) {
      connected.close();
      throw e;
    }
  }

  /** {@code swarm}. */
  @Override
  public String name() {
    return "swarm";
  }

  /** Isolates, enforces limits, mounts no local directory, places runs on the swarm's nodes. */
  @Override
  public RuntimeCapabilities capabilities() {
    return CAPABILITIES;
  }

  /** The settings it was created with. */
  public DockerSettings settings() {
    return settings;
  }

  /**
   * Makes sure the runtime's image is on this engine (pulling it when it is not). On a swarm of
   * several nodes every node that may run it needs it too: a node without it refuses the task.
   */
  @Override
  public void prepare(RuntimeDefinition runtime) {
    requireOpen();
    images.require(Objects.requireNonNull(runtime, "runtime"));
  }

  /** {@code swarm:} and the image's content id. */
  @Override
  public String identity(RuntimeDefinition runtime) {
    requireOpen();
    return name() + ":" + images.id(Objects.requireNonNull(runtime, "runtime"));
  }

  /** {@code /work}, and the script at {@code /rgrid/<scriptName>}. */
  @Override
  public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
    return new ContainerPaths(SwarmRecipe.WORK, SwarmRecipe.SCRIPTS + "/" + scriptName);
  }

  /**
   * Creates the run's network and service. Output reaches {@code sink} as the task sends it;
   * the files the script created or changed are in {@code spec.workDir()} when {@link
   * Container#await} has returned the exit.
   *
   * @throws IllegalArgumentException when the directories or the script do not exist
   * @throws ContainerStartException when the engine refuses the service, or no node of the swarm
   *     could ever hold the run's reservation
   */
  @Override
  public Container start(ContainerSpec spec, OutputSink sink) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(sink, "sink");
    requireOpen();
    String name = dev.rgrid.backend.docker.internal.ContainerRecipe.name(spec.name());
    Path workDir;
    Path scriptDir;
    try {
      workDir = Launcher.realDirectory(spec.workDir(), "working directory");
      scriptDir = Launcher.realDirectory(spec.scriptDir(), "script directory");
      if (spec.scriptName().contains("/")
          || !Files.isRegularFile(scriptDir.resolve(spec.scriptName()))) {
        throw new IllegalArgumentException("script does not exist: "
            + scriptDir.resolve(spec.scriptName()));
      }
    } catch (RuntimeException e) {
      closeQuietly(spec);
      throw e;
    }
    Stage stage = new Stage(workDir, scriptDir, SwarmRecipe.command(spec), SwarmRecipe.env(spec),
        spec.stdin(), sink, stagingLimit);
    SwarmJob job = SwarmJob.launch(engine, relay, recipe, placing, spec, stage, name,
        open::remove);
    open.add(job);
    return job;
  }

  /**
   * Removes the services (and networks) carrying all of {@code labels}, except those of RGrid
   * processes still running on this machine, this one included.
   */
  @Override
  public int reap(Map<String, String> labels) {
    requireOpen();
    Set<String> live = new HashSet<>();
    open.forEach(j -> live.add(j.id()));
    return leftovers.removeLabelled(Map.copyOf(labels), live);
  }

  /**
   * Removes the services of runs that RGrid processes of this machine left behind when they
   * ended, their networks and relays; a run's output went to its stage as it came, so a sink
   * {@code recover} returns only gets both streams closed.
   */
  @Override
  public void reapLeftovers(Function<Map<String, String>, OutputSink> recover) {
    requireOpen();
    leftovers.removeRunsOfEndedOwners(Objects.requireNonNull(recover, "recover"));
  }

  /**
   * The CPUs of the swarm's largest ready node (a run asking for more could never be placed), 0
   * when the engine does not say.
   */
  @Override
  public int cpus() {
    try {
      return placing.nodes().mostCpus();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** The relay container's id (for tests and diagnostics). */
  public String relayId() {
    return relay.id();
  }

  /**
   * Closes every open run, the relay and the staging server, removes any network of this
   * runtime's runs still there, then closes the engine connection.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RGridException failure = null;
    try {
      images.close();
      failure = CloseAll.closeAll(open);
      relay.close();
    } finally {
      try {
        removeOwnNetworks();
      } finally {
        engine.close();
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * A run's network the relay still held when the run closed (an attach the engine refused but
   * completed later, a detach that failed) could not be removed then, and a start's sweep takes
   * only those of ended processes: this runtime's own go now that the relay has gone.
   */
  private void removeOwnNetworks() {
    try {
      List<String> left = leftovers.removeNetworksPatiently(recipe.runtimeLabel(),
          CLOSE_PATIENCE);
      if (!left.isEmpty()) {
        LOG.warn("the swarm runtime leaves {} network(s) the engine would not remove: {}; the "
            + "sweep of the next RGrid process on this machine removes them", left.size(), left);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not remove the networks of this swarm runtime's runs: {}", e.getMessage());
    }
  }

  /** Runs' networks created by this runtime, by its label (for tests). */
  Map<String, String> runtimeLabel() {
    return recipe.runtimeLabel();
  }

  @Override
  public String toString() {
    return "SwarmRuntime[" + settings.dockerHost() + "]";
  }

  private static void requireManager(Engine engine) {
    Boolean manager;
    try {
      var swarm = engine.control().infoCmd().exec().getSwarm();
      manager = swarm == null ? null : swarm.getControlAvailable();
    } catch (RuntimeException e) {
      throw engine.failure("say whether it is a swarm manager", e);
    }
    if (!Boolean.TRUE.equals(manager)) {
      throw new BackendUnavailableException(Engine.BACKEND, "the Docker engine at "
          + engine.endpoint() + " is not a swarm manager", "make it one (docker swarm init "
          + "--advertise-addr 127.0.0.1 for a swarm of this machine alone), point DOCKER_HOST "
          + "at a manager, or choose --engine docker", null);
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this swarm runtime is closed");
    }
  }

  private static void closeQuietly(ContainerSpec spec) {
    if (spec.stdin() != null) {
      try {
        spec.stdin().close();
      } catch (IOException e) {
        // Nothing was read from it.
      }
    }
  }
}
