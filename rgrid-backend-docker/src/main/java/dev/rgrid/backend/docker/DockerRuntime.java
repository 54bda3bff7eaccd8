package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.ContainerRecipe;
import dev.rgrid.backend.docker.internal.DockerContainer;
import dev.rgrid.backend.docker.internal.CloseAll;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.EnvironmentImages;
import dev.rgrid.backend.docker.internal.KeptImages;
import dev.rgrid.backend.docker.internal.Images;
import dev.rgrid.backend.docker.internal.Launcher;
import dev.rgrid.backend.docker.internal.NetworkHolders;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.RunAs;
import dev.rgrid.backend.docker.internal.WarmPool;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.KeptEnvironment;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each script in its own locked-down container on a Docker engine: read-only root file
 * system, {@code /work} (a bind mount of the run's working directory) the only writable place, a
 * small in-memory {@code /tmp}, a non-root user, all capabilities dropped, no privilege
 * escalation, pids, memory and CPU limits, and no network unless the run asks for it. The script
 * is mounted read-only at {@code /rgrid/<name>}.
 *
 * <p>Containers carry the run's labels plus {@code dev.rgrid.managed=true} and the identity of
 * this JVM, so that the containers of an RGrid process that crashed are removed by the next
 * runtime created on the same machine. Safe for use by many threads.
 *
 * <p>With {@link DockerSettings#warmContainers()} above zero, containers for runs with the
 * default limits and no network are started ahead, per image, and handed out on demand: such a
 * run skips the engine's container start. Warm containers carry RGrid's labels and this JVM's
 * identity, not the execution id of the run they serve.
 *
 * <p>Python requirements are installed into environment images, one per environment key, built
 * once and reused (see {@link #environment}).
 *
 * <p>Scripts never run as root: see {@link DockerSettings#user()}. When this JVM runs as root, the
 * working and script directories are handed ({@code chown}) to uid/gid 65534 before the start, so
 * files the script writes belong to 65534.
 */
public final class DockerRuntime implements ContainerRuntime {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DockerRuntime.class);
  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(true, true,
      true);

  private final DockerSettings settings;
  private final Engine engine;
  private final Images images;
  private final Launcher launcher;
  private final NetworkHolders holders;
  private final Leftovers leftovers;
  private final WarmPool warm;
  private final EnvironmentImages environments;
  private final KeptImages kept;
  private final Set<DockerContainer> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int cpus;

  /**
   * Connects to the engine of {@code settings}, checks that it answers within its ping timeout,
   * and removes containers left behind by RGrid processes of this machine that have ended.
   *
   * @throws dev.rgrid.spi.BackendUnavailableException naming the endpoint when the engine does not
   *     answer
   */
  public DockerRuntime(DockerSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    Engine connected = Engine.connect(settings);
    try {
      RunAs runAs = RunAs.choose(settings.user());
      this.engine = connected;
      this.images = new Images(connected, settings.pullTimeout());
      ContainerRecipe recipe = new ContainerRecipe(settings, runAs, Owner.current());
      this.holders = new NetworkHolders(connected, runAs, Owner.current(),
          settings.reuseNetworks());
      this.launcher = new Launcher(connected, images, recipe, runAs, holders);
      this.leftovers = new Leftovers(connected);
      leftovers.removeThoseOfEndedOwners();
      this.warm = new WarmPool(connected, launcher, recipe, runAs, settings.warmContainers(),
          open::remove);
      this.environments = new EnvironmentImages(connected, images, launcher, settings,
          Owner.current());
      this.kept = new KeptImages(connected);
    } catch (RuntimeException e) {
      connected.close();
      throw e;
    }
  }

  /** A runtime on the engine named by {@code DOCKER_HOST} (or the local socket), with defaults. */
  public static DockerRuntime fromEnvironment() {
    return new DockerRuntime(DockerSettings.fromEnvironment());
  }

  /** {@code docker}. */
  @Override
  public String name() {
    return "docker";
  }

  /** Isolates, enforces limits, mounts local directories. */
  @Override
  public RuntimeCapabilities capabilities() {
    return CAPABILITIES;
  }

  /** The settings it was created with. */
  public DockerSettings settings() {
    return settings;
  }

  /**
   * Makes sure the runtime's image is on the engine, pulling it (bounded by the pull timeout) when
   * it is not, and learns the image's content id for {@link #identity}. The id is kept while no
   * image event happened on the engine since (the runtime follows them), so a rebuilt image is
   * noticed at once and an unchanged one costs no request.
   *
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException naming the image when it can be
   *     neither found nor pulled
   */
  @Override
  public void prepare(RuntimeDefinition runtime) {
    requireOpen();
    images.require(Objects.requireNonNull(runtime, "runtime"));
    warm.prepare(runtime.image());
  }

  /**
   * {@code docker:} and the content id ({@code sha256:…}) of the runtime's image, as learnt by
   * {@link #prepare}, so that an image rebuilt under the same name gives a new identity once
   * prepared. Works for the definitions returned
   * by {@link #environment} too.
   *
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when the engine lacks the image
   */
  @Override
  public String identity(RuntimeDefinition runtime) {
    requireOpen();
    return name() + ":" + images.id(Objects.requireNonNull(runtime, "runtime"));
  }

  /**
   * Finds or builds (once) the image {@code rgrid-env/<runtime name>:<first 32 hex digits of the
   * key>} holding a virtualenv in {@code /opt/rgrid-env} with {@code env}'s requirements, and
   * returns {@code runtime} with that image and {@code /opt/rgrid-env/bin/python} as {@code
   * command[0]}. Scripts then run in it with every usual restriction (read-only root file
   * system, uid 65534, no network).
   *
   * <p>An existing image is reused when its label {@code dev.rgrid.env.base} names the current
   * content id of the runtime's image; otherwise it is built: a container of the base image runs
   * {@code python3 -m venv} and {@code pip install} as root (pip writes {@code /opt}) on a
   * writable root file system, with all capabilities dropped, no privilege escalation and the
   * default pids, memory and CPU limits, its output going to {@code env.progress()} line by
   * line; it is committed on success (keeping the base image's entrypoint, command, user,
   * variables and working directory) and removed in every case. The requirements reach pip
   * through a read-only mounted file, each {@code --find-links} directory is mounted read-only.
   *
   * <p>The build is the only container with a network, chosen by {@link
   * EnvironmentImages#network}: {@code none} when {@code env.index().noIndex()} (local wheel
   * directories only), {@code host} when an index URL names a loopback host (an index server
   * on this machine), {@code bridge} otherwise.
   *
   * <p>Concurrent calls for one key build once: in this process they wait for the running
   * build, across processes a lock file {@code docker-env-<key32>.lock} in {@code
   * env.cacheDir()} is held while the image is checked and built.
   *
   * @throws dev.rgrid.spi.runtime.DependencyInstallException when pip fails: its {@code ERROR:}
   *     lines and last lines are quoted, and no image is created
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when the base image is missing
   */
  @Override
  public RuntimeDefinition environment(RuntimeDefinition runtime, EnvironmentSpec env) {
    requireOpen();
    return environments.environment(Objects.requireNonNull(runtime, "runtime"),
        Objects.requireNonNull(env, "env"));
  }

  /**
   * The environment images this cache directory built or used (those whose {@code
   * docker-env-<key32>.lock} it holds), each sized as the layers it adds to its base image.
   */
  @Override
  public List<KeptEnvironment> environments(Path cacheDir) {
    requireOpen();
    return kept.list(Objects.requireNonNull(cacheDir, "cacheDir"));
  }

  /**
   * Removes the environment image {@code key} of this cache directory; false when it is gone or
   * a container still uses it (the engine refuses).
   */
  @Override
  public boolean removeEnvironment(Path cacheDir, String key) {
    requireOpen();
    return kept.remove(Objects.requireNonNull(cacheDir, "cacheDir"), key);
  }

  /**
   * How many started containers of {@code runtime}'s image wait for runs (always 0 when {@link
   * DockerSettings#warmContainers()} is 0). The pool fills once a first run has shown where runs
   * keep their files, and refills in the background after each run it serves.
   */
  public int warmContainers(RuntimeDefinition runtime) {
    return warm.ready(runtime.image());
  }

  /**
   * The engine's CPUs ({@code NCPU} of its info), the most it lets one container have; asked once,
   * on first use. 0 (unknown) when the engine does not say.
   */
  @Override
  public int cpus() {
    int known = cpus;
    if (known == 0) {
      try {
        Integer n = engine.control().infoCmd().exec().getNCPU();
        known = n == null ? 0 : n;
        cpus = known;
      } catch (RuntimeException e) {
        LOG.debug("the Docker engine at {} did not say how many CPUs it has", engine.endpoint(),
            e);
      }
    }
    return known;
  }

  /** How many runs containers of the warm pool have served since this runtime was created. */
  public long warmStarts() {
    return warm.served();
  }

  /** {@code /work}, and the script at {@code /rgrid/<scriptName>}. */
  @Override
  public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
    return new ContainerPaths(ContainerRecipe.WORK, ContainerRecipe.SCRIPTS + "/"
        + plainName(scriptName));
  }

  /**
   * Starts the script's container, attached to its output (and to {@code spec.stdin()} when
   * given; the script reads end-of-file when those bytes end, or at once when there are none).
   * Output reaches {@code sink} live, stdout and stderr apart, from a docker-java thread.
   *
   * <p>An interpreter missing from the image is not detected here: the container's init fails
   * to run it, and the run exits with code 127 and tini's message on stderr.
   *
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when the image is missing
   * @throws ContainerStartException when the engine refuses to create or start the container
   * @throws dev.rgrid.spi.BackendUnavailableException when the engine does not answer
   * @throws IllegalArgumentException when the directories or the script do not exist
   */
  @Override
  public Container start(ContainerSpec spec, OutputSink sink) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(sink, "sink");
    plainName(spec.scriptName());
    requireOpen();
    DockerContainer container = warm.take(spec, sink)
        .orElseGet(() -> launcher.launch(spec, sink, open::remove));
    open.add(container);
    return container;
  }

  /**
   * Removes the containers carrying all of {@code labels} (and RGrid's own mark), except those of
   * RGrid processes still running on this machine, this one included.
   */
  @Override
  public int reap(Map<String, String> labels) {
    requireOpen();
    Set<String> live = new HashSet<>();
    open.forEach(c -> live.add(c.id()));
    live.addAll(warm.ids());
    return leftovers.removeLabelled(Map.copyOf(labels), live);
  }

  /**
   * Removes the containers of runs (labelled {@code dev.rgrid.execution}) that RGrid processes of
   * this machine left behind when they ended; the other leftovers of ended processes are removed
   * when the runtime is created. A container offered to {@code recover} that it wants is killed
   * first, then what the engine kept of its output (the last 10 MB at most) reaches the sink.
   */
  @Override
  public void reapLeftovers(java.util.function.Function<Map<String, String>, OutputSink> recover) {
    requireOpen();
    leftovers.removeRunsOfEndedOwners(Objects.requireNonNull(recover, "recover"));
  }

  /**
   * Closes (kills and removes) every container still open, then the engine connection. Later
   * calls do nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RGridException failure = null;
    try {
      warm.close();
      images.close();
      failure = CloseAll.closeAll(open);
      holders.close();
    } finally {
      engine.close();
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "DockerRuntime[" + settings.dockerHost() + "]";
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this Docker runtime is closed");
    }
  }

  private static String plainName(String scriptName) {
    Objects.requireNonNull(scriptName, "scriptName");
    if (scriptName.isEmpty() || scriptName.equals(".") || scriptName.equals("..")
        || scriptName.indexOf('/') >= 0 || scriptName.indexOf('\\') >= 0
        || scriptName.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain script file name: '" + scriptName + "'");
    }
    return scriptName;
  }
}
