package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Python environments as images: one per environment key, named {@code
 * rgrid-env/<runtime>:<first 32 hex digits of the key>}, built once (see {@link
 * EnvironmentBuild}) and reused as long as it was built on the runtime's current base image.
 *
 * <p>One build per key at a time: in this process, later callers wait for the running build;
 * across processes, a lock file {@code <cacheDir>/docker-env-<key32>.lock} is held while the
 * image is checked and built, and the image is checked again once the lock is held.
 */
public final class EnvironmentImages {
  /** Image label: the full environment key. */
  public static final String KEY = "dev.rgrid.env.key";
  /** Image label: the content id of the base image it was built on. */
  public static final String BASE = "dev.rgrid.env.base";
  /** Image label: the requirement lines, one a line (shortened when long). */
  public static final String REQUIREMENTS = "dev.rgrid.env.requirements";
  /** Container label: marks a build container. */
  public static final String BUILD = "dev.rgrid.env.build";
  /** The repository prefix of environment images. */
  public static final String REPOSITORY = "rgrid-env/";
  /** The interpreter of environment images, {@code command[0]} of their definitions. */
  public static final String PYTHON = EnvironmentBuild.VENV + "/bin/python";

  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentImages.class);
  private static final int TAG_LENGTH = 32;
  private static final int MAX_LABEL = 1024;
  private static final long LOCK_POLL_MILLIS = 100;
  private static final Pattern COMPONENT = Pattern.compile(
      "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

  private final Engine engine;
  private final Images images;
  private final EnvironmentBuild builds;
  private final Map<String, CompletableFuture<RuntimeDefinition>> building =
      new ConcurrentHashMap<>();

  /** Environments on {@code engine}, built with the limits of {@code settings}. */
  public EnvironmentImages(Engine engine, Images images, Launcher launcher,
      DockerSettings settings, Owner owner) {
    this.engine = engine;
    this.images = images;
    this.builds = new EnvironmentBuild(engine, images, launcher, settings, owner);
  }

  /**
   * The definition running scripts in the environment {@code env} on top of {@code runtime}:
   * its image, found or built once, and {@link #PYTHON} in place of {@code command[0]}.
   *
   * @throws dev.rgrid.spi.runtime.DependencyInstallException when pip fails
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when the base image is missing
   * @throws IllegalArgumentException when {@code runtime} is itself an environment
   */
  public RuntimeDefinition environment(RuntimeDefinition runtime, EnvironmentSpec env) {
    if (runtime.image().startsWith(REPOSITORY)) {
      throw new IllegalArgumentException("runtime " + runtime.name() + " already runs in the "
          + "environment image " + runtime.image() + "; environments are built on base images");
    }
    String baseId = images.require(runtime);
    String image = imageName(runtime, env.key());
    List<String> command = new ArrayList<>(runtime.command());
    command.set(0, PYTHON);
    RuntimeDefinition result = new RuntimeDefinition(runtime.name(), image, command,
        runtime.hostInterpreters(), runtime.scriptSuffix());
    if (reusable(image, env.key(), baseId).isPresent()) {
      noteUse(env);
      return result;
    }
    CompletableFuture<RuntimeDefinition> mine = new CompletableFuture<>();
    CompletableFuture<RuntimeDefinition> running = building.putIfAbsent(env.key(), mine);
    if (running != null) {
      return await(running, runtime);
    }
    try {
      underLock(env, () -> findOrBuild(runtime, baseId, env, image));
      mine.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      building.remove(env.key(), mine);
    }
  }

  /**
   * The network of a build container: {@code none} when {@code index} uses local {@code
   * --find-links} directories only ({@code noIndex}: no traffic at all); {@code host} when an
   * index URL names a loopback host ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}), so
   * that an index server on this machine is reachable, which it is not from a bridge; else
   * {@code bridge}. Scripts themselves never get the network of their environment's build.
   */
  public static String network(PackageIndex index) {
    if (index.noIndex()) {
      return "none";
    }
    List<URI> urls = new ArrayList<>(index.extraIndexUrls());
    if (index.indexUrl() != null) {
      urls.add(index.indexUrl());
    }
    return urls.stream().anyMatch(u -> isLoopback(u.getHost())) ? "host" : "bridge";
  }

  /** The image name of the environment {@code key} of {@code runtime}. */
  static String imageName(RuntimeDefinition runtime, String key) {
    String name = runtime.name();
    if (!COMPONENT.matcher(name).matches()) {
      name = name.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }
    return REPOSITORY + name + ":" + key.substring(0, TAG_LENGTH);
  }

  private void findOrBuild(RuntimeDefinition runtime, String baseId, EnvironmentSpec env,
      String image) {
    Optional<InspectImageResponse> existing = inspect(image);
    if (existing.isPresent() && matches(existing.get(), env.key(), baseId)) {
      images.remember(image, existing.get().getId());
      return; // built by another process while this one waited for the lock
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(KEY, env.key());
    labels.put(BASE, baseId);
    labels.put(REQUIREMENTS, shortened(String.join("\n", env.requirements())));
    int colon = image.lastIndexOf(':');
    String id = builds.build(runtime, baseId, env, image.substring(0, colon),
        image.substring(colon + 1), labels);
    images.remember(image, id);
    // The tag moved to the new image; the one built on an earlier base goes unless it is used.
    existing.map(InspectImageResponse::getId).filter(old -> !old.equals(id))
        .ifPresent(this::removeQuietly);
  }

  private Optional<String> reusable(String image, String key, String baseId) {
    Optional<InspectImageResponse> found = inspect(image);
    if (found.isPresent() && matches(found.get(), key, baseId)) {
      images.remember(image, found.get().getId());
      return Optional.of(found.get().getId());
    }
    return Optional.empty();
  }

  private static boolean matches(InspectImageResponse image, String key, String baseId) {
    Map<String, String> labels = image.getConfig() == null ? null
        : image.getConfig().getLabels();
    return labels != null && key.equals(labels.get(KEY)) && baseId.equals(labels.get(BASE));
  }

  private Optional<InspectImageResponse> inspect(String image) {
    try {
      return Optional.of(engine.control().inspectImageCmd(image).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw engine.failure("inspect the image " + image, e);
    }
  }

  private void removeQuietly(String id) {
    try {
      engine.control().removeImageCmd(id).exec();
    } catch (NotFoundException | ConflictException e) {
      LOG.debug("outdated environment image {} stays: {}", id, Engine.message(e));
    } catch (RuntimeException e) {
      LOG.warn("could not remove the outdated environment image {}", id, e);
    }
  }

  private RuntimeDefinition await(CompletableFuture<RuntimeDefinition> running,
      RuntimeDefinition runtime) {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RGridException("interrupted while waiting for the environment of runtime "
          + runtime.name() + " being built", null, null, e);
    } catch (ExecutionException e) {
      // The same failure as the build's own caller sees: its type is what core acts on.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Runs {@code work} holding the environment's lock file. Other processes hold it while they
   * build; runtimes of this JVM share its file locks, so a lock held here by another of them
   * shows as an overlap rather than a wait: both are polled.
   */
  private void underLock(EnvironmentSpec env, Runnable work) {
    Path file = KeptImages.lockFile(env.cacheDir(), env.key().substring(0, TAG_LENGTH));
    try {
      Files.createDirectories(env.cacheDir(), PrivateModes.directory(file));
      try (FileChannel channel = FileChannel.open(file, java.util.Set.of(
          StandardOpenOption.CREATE, StandardOpenOption.WRITE), PrivateModes.file(file))) {
        FileLock lock = acquire(channel, file, env);
        try {
          work.run();
        } finally {
          lock.release();
        }
      }
    } catch (IOException e) {
      throw new RGridException("cannot lock " + file + " to build an environment: "
          + e.getMessage(), "check that RGrid's cache directory is writable", null, e);
    }
  }

  private static FileLock acquire(FileChannel channel, Path file, EnvironmentSpec env)
      throws IOException {
    boolean told = false;
    while (true) {
      try {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return lock;
        }
      } catch (OverlappingFileLockException e) {
        // held by another runtime of this JVM
      }
      if (!told) {
        env.progress().accept("waiting for another RGrid process that builds the same "
            + "environment (" + file + ")");
        told = true;
      }
      try {
        Thread.sleep(LOCK_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RGridException("interrupted while waiting for the lock " + file, null, null,
            e);
      }
    }
  }

  /** Marks the environment as one of the cache directory's, for garbage collection. */
  private static void noteUse(EnvironmentSpec env) {
    try {
      KeptImages.used(env.cacheDir(), env.key().substring(0, TAG_LENGTH));
    } catch (IOException e) {
      throw new RGridException("cannot note the use of an environment in " + env.cacheDir()
          + ": " + e.getMessage(), "check that RGrid's cache directory is writable", null, e);
    }
  }

  private static String shortened(String text) {
    return text.length() <= MAX_LABEL ? text : text.substring(0, MAX_LABEL - 1) + "…";
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    // Only literal addresses are judged, so that no name is ever looked up here.
    if (h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      return h.startsWith("127.");
    }
    if (!h.contains(":")) {
      return false;
    }
    try { // a string with a colon is parsed as an IPv6 literal, never looked up
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
