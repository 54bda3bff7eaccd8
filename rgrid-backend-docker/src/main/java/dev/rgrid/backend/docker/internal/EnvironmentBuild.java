package dev.rgrid.backend.docker.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import dev.rgrid.backend.docker.ContainerStartException;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one environment image: a container of the base image, run as root (pip must write
 * {@code /opt}) with a writable root file system but otherwise locked down like a script's (all
 * capabilities dropped, no privilege escalation, the default pids, memory and CPU limits, the
 * network of {@link EnvironmentImages#network}), creates a virtualenv in {@link #VENV} and
 * installs the requirements into it with pip; on success the container is committed, keeping
 * the base image's configuration. The container carries RGrid's labels, so that it is reaped
 * when this process dies mid-build; it is removed in every case.
 */
final class EnvironmentBuild {
  /** Where the virtualenv lives in environment images. */
  static final String VENV = "/opt/rgrid-env";
  /** Where the requirements file is mounted, read-only. */
  static final String REQUIREMENTS_DIR = "/rgrid-req";
  /** Where the {@code --find-links} directories are mounted, read-only, as {@code N}. */
  static final String LINKS_DIR = "/rgrid-links";

  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentBuild.class);
  private static final int VENV_FAILED = 90;
  private static final int MAX_NAMED = 10;
  private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();
  // Fixed text: the interpreter and pip's options arrive as positional arguments ("$@"), the
  // requirements (and index URLs, which may carry credentials) in the mounted file, so nothing
  // a user wrote is ever shell source. TMPDIR is exported here rather than set on the container
  // because commit would copy the container's variables into the image.
  static final String SCRIPT = String.join("\n",
      "set -eu",
      "py=\"$1\"; shift",
      "\"$py\" -m venv " + VENV + " || { echo \"ERROR: $py -m venv failed\" >&2; exit "
          + VENV_FAILED + "; }",
      "export TMPDIR=/var/tmp/rgrid-env-build",
      "mkdir -p \"$TMPDIR\"",
      VENV + "/bin/python -m pip install --no-input --disable-pip-version-check --no-cache-dir"
          + " \"$@\" -r " + REQUIREMENTS_DIR + "/requirements.txt",
      "rm -rf \"$TMPDIR\"",
      // Scripts run as another user (65534) on a read-only root file system: the virtualenv
      // must be readable and its directories and programs executable by everyone.
      "chmod -R a+rX " + VENV,
      "");

  private final Engine engine;
  private final Images images;
  private final Launcher launcher;
  private final DockerSettings settings;
  private final Owner owner;

  EnvironmentBuild(Engine engine, Images images, Launcher launcher, DockerSettings settings,
      Owner owner) {
    this.engine = engine;
    this.images = images;
    this.launcher = launcher;
    this.settings = settings;
    this.owner = owner;
  }

  /**
   * Builds the environment {@code env} on the base image {@code baseId} of {@code runtime} and
   * tags it {@code repository:tag}, with {@code labels} added to the base image's.
   *
   * @return the new image's content id
   * @throws DependencyInstallException when pip fails
   */
  String build(RuntimeDefinition runtime, String baseId, EnvironmentSpec env, String repository,
      String tag, Map<String, String> labels) {
    ContainerConfig base = baseConfig(runtime, baseId);
    List<Path> links = linkDirs(env);
    Staged staging = stage(env);
    try {
      BuildOutput output = new BuildOutput(env.progress());
      String name = ContainerRecipe.name("env-" + env.key().substring(0, 12));
      String id = create(runtime, baseId, base, env, links, staging.mounted(), name);
      try (DockerContainer container = launcher.attachAndStart(id, name, null, output,
          c -> { })) {
        ExitResult exit = await(container, runtime);
        if (exit.exitCode() != 0) {
          throw failure(runtime, env, exit, output);
        }
        LOG.info("built the environment {}:{} for runtime {} ({} lines of pip output)",
            repository, tag, runtime.name(), output.lines());
        return commit(id, name, base, repository, tag, labels);
      }
    } finally {
      delete(staging.outer());
    }
  }

  private ContainerConfig baseConfig(RuntimeDefinition runtime, String baseId) {
    try {
      ContainerConfig config = engine.control().inspectImageCmd(baseId).exec().getConfig();
      return config == null ? new ContainerConfig() : config;
    } catch (NotFoundException e) {
      images.forget(runtime.image());
      throw images.missing(runtime, "it was removed while its environment was being prepared",
          e);
    } catch (RuntimeException e) {
      throw engine.failure("inspect the image " + runtime.image(), e);
    }
  }

  private static List<Path> linkDirs(EnvironmentSpec env) {
    List<Path> dirs = new ArrayList<>();
    for (Path dir : env.index().findLinks()) {
      try {
        Path real = dir.toRealPath();
        if (Files.isDirectory(real)) {
          dirs.add(real);
          continue;
        }
      } catch (IOException e) {
        LOG.debug("--find-links directory {} is not usable", dir, e);
      }
      throw new DependencyInstallException("cannot install " + named(env.requirements())
          + ": the --find-links directory " + dir + " does not exist", List.of(),
          "give an existing directory of wheels with --find-links");
    }
    return dirs;
  }

  /**
   * Writes the requirements file into a fresh directory. The engine's root, without
   * capabilities, reads it as "others" when this JVM is not root: the directory it lies in is
   * traversable but not listable (0711) and its own name unguessable, so that index credentials
   * in the file are not exposed to the other users of this machine.
   *
   * @return the directory to mount, and the outer one to delete afterwards
   */
  private static Staged stage(EnvironmentSpec env) {
    Path outer = null;
    try {
      outer = Files.createTempDirectory("rgrid-env-");
      Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString("rwx--x--x"));
      byte[] random = new byte[16];
      RANDOM.nextBytes(random);
      Path dir = Files.createDirectory(outer.resolve(HexFormat.of().formatHex(random)));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path file = dir.resolve("requirements.txt");
      Files.writeString(file, requirementsFile(env), StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      return new Staged(outer, dir);
    } catch (IOException | UnsupportedOperationException e) {
      delete(outer);
      throw new RGridException("cannot write the requirements of environment "
          + env.key().substring(0, 12) + " to a temporary directory: " + e.getMessage(),
          "check that the temporary directory (java.io.tmpdir) exists and is writable", null, e);
    }
  }

  /** The requirements, after the index options (kept off the command line, see SCRIPT). */
  static String requirementsFile(EnvironmentSpec env) {
    StringBuilder text = new StringBuilder();
    PackageIndex index = env.index();
    if (!index.noIndex()) {
      if (index.indexUrl() != null) {
        text.append("--index-url ").append(index.indexUrl()).append('\n');
      }
      for (URI extra : index.extraIndexUrls()) {
        text.append("--extra-index-url ").append(extra).append('\n');
      }
    }
    env.requirements().forEach(r -> text.append(r).append('\n'));
    return text.toString();
  }

  private String create(RuntimeDefinition runtime, String baseId, ContainerConfig base,
      EnvironmentSpec env, List<Path> links, Path requirements, String name) {
    List<Mount> mounts = new ArrayList<>();
    mounts.add(new Mount().withType(MountType.BIND).withSource(requirements.toString())
        .withTarget(REQUIREMENTS_DIR).withReadOnly(true));
    List<String> entrypoint = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT,
        "rgrid-env-build", runtime.command().get(0)));
    for (int i = 0; i < links.size(); i++) {
      mounts.add(new Mount().withType(MountType.BIND).withSource(links.get(i).toString())
          .withTarget(LINKS_DIR + "/" + i).withReadOnly(true));
      entrypoint.addAll(List.of("--find-links", LINKS_DIR + "/" + i));
    }
    if (env.index().noIndex()) {
      entrypoint.add("--no-index");
    }
    HostConfig host = HostConfig.newHostConfig()
        .withMounts(mounts)
        .withReadonlyRootfs(false)
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withPidsLimit(settings.pidsLimit())
        .withMemory(settings.memoryBytes())
        .withMemorySwap(settings.memoryBytes())
        .withNanoCPUs(settings.milliCpus() * 1_000_000L)
        .withNetworkMode(EnvironmentImages.network(env.index()))
        .withInit(true)
        .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE));
    Map<String, String> labels = new LinkedHashMap<>(owner.labels());
    labels.put(EnvironmentImages.BUILD, "true");
    labels.put(EnvironmentImages.KEY, env.key());
    // The whole command is the entrypoint and no Cmd is set, and neither user (unless the base
    // names one) nor working directory nor variables are: commit copies into the image whatever
    // of the container's configuration the commit request leaves empty.
    CreateContainerCmd cmd = engine.control().createContainerCmd(baseId)
        .withName(name)
        .withEntrypoint(entrypoint)
        .withLabels(labels)
        .withTty(false)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withHostConfig(host);
    if (base.getUser() != null && !base.getUser().isEmpty()) {
      cmd.withUser("0:0");
    }
    try {
      return cmd.exec().getId();
    } catch (NotFoundException e) {
      images.forget(runtime.image());
      throw images.missing(runtime, "it was removed while its environment was being built", e);
    } catch (DockerException e) {
      throw new ContainerStartException(name, "the Docker engine at " + engine.endpoint()
          + " refused to create the environment build container " + name + ": "
          + Engine.message(e), "check the engine's log and free disk space, then run it again",
          e);
    } catch (RuntimeException e) {
      throw engine.failure("create container " + name, e);
    }
  }

  private static ExitResult await(DockerContainer container, RuntimeDefinition runtime) {
    try {
      return container.await(FOREVER).orElseThrow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RGridException("interrupted while building an environment for runtime "
          + runtime.name() + "; the build was stopped", null, null, e);
    }
  }

  /**
   * Commits the build container. The engine fills every field the request leaves empty from the
   * container's configuration (its entrypoint, its user root, its labels): each is given the
   * base image's value explicitly, and RGrid's container labels are blanked, so that containers
   * later created from the image are not taken for RGrid's own (or for builds) by the reaper.
   * docker-java's commit cannot set the entrypoint, hence the request of its own.
   */
  private String commit(String containerId, String name, ContainerConfig base, String repository,
      String tag, Map<String, String> envLabels) {
    Map<String, Object> config = new LinkedHashMap<>();
    // An empty (not null) entrypoint keeps the base's absent one: null would copy the build's.
    config.put("Entrypoint", base.getEntrypoint() == null ? List.of()
        : Arrays.asList(base.getEntrypoint()));
    config.put("Cmd", base.getCmd() == null ? null : Arrays.asList(base.getCmd()));
    config.put("Env", base.getEnv() == null ? List.of() : Arrays.asList(base.getEnv()));
    config.put("User", base.getUser() == null ? "" : base.getUser());
    config.put("WorkingDir", base.getWorkingDir() == null ? "" : base.getWorkingDir());
    Map<String, String> labels = new LinkedHashMap<>();
    if (base.getLabels() != null) {
      labels.putAll(base.getLabels());
    }
    for (String ours : List.of(Owner.MANAGED, Owner.OWNER, Owner.HOST, EnvironmentImages.BUILD)) {
      labels.put(ours, "");
    }
    labels.putAll(envLabels);
    config.put("Labels", labels);
    String query = "/commit?container=" + encode(containerId) + "&repo=" + encode(repository)
        + "&tag=" + encode(tag) + "&pause=false&comment="
        + encode("RGrid environment " + envLabels.get(EnvironmentImages.KEY));
    try {
      byte[] answer = engine.post(query, JSON.writeValueAsBytes(config));
      String id = JSON.readTree(answer).path("Id").asText("");
      if (id.isEmpty()) {
        throw new BackendUnavailableException(Engine.BACKEND, "the Docker engine at "
            + engine.endpoint() + " committed container " + name + " without naming the "
            + "image", Engine.HINT, null);
      }
      return id;
    } catch (IOException e) {
      throw new IllegalStateException("the commit request of container " + name
          + " could not be written or its answer read", e);
    } catch (RuntimeException e) {
      if (e instanceof RGridException r) {
        throw r;
      }
      throw engine.failure("commit the environment image " + repository + ":" + tag, e);
    }
  }

  private DependencyInstallException failure(RuntimeDefinition runtime, EnvironmentSpec env,
      ExitResult exit, BuildOutput output) {
    String why;
    String hint;
    if (exit.oomKilled()) {
      why = "pip was killed for using more than " + (settings.memoryBytes() >> 20) + " MiB";
      hint = "raise the Docker runtime's memory limit, or split the requirements";
    } else if (exit.exitCode() == VENV_FAILED) {
      why = "the image " + runtime.image() + " cannot create a virtualenv with "
          + runtime.command().get(0) + " -m venv";
      hint = "use a runtime whose image has Python's venv module (Debian: python3-venv)";
    } else {
      why = "pip exited with code " + exit.exitCode();
      hint = env.index().noIndex()
          ? "check the names and versions of the requirements, and that the --find-links "
              + "directories hold wheels for them (no package index is consulted)"
          : "check the names and versions of the requirements, and that the package index "
              + "(--index-url, --extra-index-url, RGRID_PIP_INDEX_URL) is reachable and offers "
              + "them, or give wheels with --find-links";
    }
    String first = output.firstError();
    return new DependencyInstallException("installing " + named(env.requirements())
        + " for runtime " + runtime.name() + " failed (" + why + ")"
        + (first == null ? "" : ": " + first), output.errorLines(), hint);
  }

  /** At most ten requirements, for messages. */
  static String named(List<String> requirements) {
    String shown = String.join(", ", requirements.subList(0, Math.min(MAX_NAMED,
        requirements.size())));
    return requirements.size() <= MAX_NAMED ? shown
        : shown + " and " + (requirements.size() - MAX_NAMED) + " more";
  }

  private record Staged(Path outer, Path mounted) {}

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete the staged requirements in {}", dir, e);
    }
  }
}
