package dev.rgrid.core.internal.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process runtime's dependency environments: one Python virtualenv per environment key, in
 * {@code <cacheDir>/venvs/<first 32 hex digits of the key>}, built once and reused by every later
 * run, in this process and in others.
 *
 * <p>A build happens in a sibling directory {@code .build-<key32>-<random>} and is renamed into
 * place, atomically, only after pip succeeded and the marker file {@value #MARKER} was written
 * into it: a directory without a valid marker is an interrupted build and is rebuilt. A marker
 * naming another base interpreter (an upgraded Python) also means rebuilding: the packages were
 * installed for a different one.
 *
 * <p>Concurrency: in this process, one thread builds a key while the others wait for its
 * outcome; across processes, an exclusive lock on {@code <cacheDir>/venvs/<key32>.lock} is held
 * while checking and building. Lock files stay behind (deleting one while another process waits
 * on it would let two builds run).
 */
final class VirtualEnvs {
  private static final Logger LOG = LoggerFactory.getLogger(VirtualEnvs.class);
  static final String MARKER = ".rgrid-env.json";
  static final String DIR = "venvs";
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration LOCK_RETRY = Duration.ofMillis(100);
  private static final String BACKEND = "process runtime";

  private final String hostPath;
  private final StreamedCommand commands;
  private final Clock clock;
  private final Duration installTimeout;
  private final ObjectMapper json = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Map<Path, CompletableFuture<Path>> building = new ConcurrentHashMap<>();

  /**
   * @param hostPath the {@code PATH} given to pip (compilers and the like for source builds)
   * @param commands runs the installers
   * @param clock dates the markers
   * @param installTimeout how long {@code pip install} may take before its tree is killed
   */
  VirtualEnvs(String hostPath, StreamedCommand commands, Clock clock, Duration installTimeout) {
    this.hostPath = hostPath;
    this.commands = commands;
    this.clock = clock;
    this.installTimeout = installTimeout;
  }

  /**
   * The Python of environment {@code env}, built on {@code base} first when it does not exist
   * yet.
   *
   * @param baseIdentity what {@link InterpreterIdentities} says of {@code base}
   * @return the absolute {@code <venv>/bin/python}
   * @throws dev.rgrid.spi.runtime.DependencyInstallException when pip fails
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when no virtualenv can be created
   *     with {@code base}
   * @throws BackendUnavailableException when the cache directory cannot be used
   * @throws IllegalArgumentException when a requirement would be more than one to pip
   */
  Path python(Path base, String baseIdentity, EnvironmentSpec env) {
    Pip.checkRequirements(env.requirements());
    Path venvs = env.cacheDir().toAbsolutePath().normalize().resolve(DIR);
    Path dir = venvs.resolve(shortKey(env));
    Optional<Path> ready = ready(dir, env.key(), baseIdentity);
    if (ready.isPresent()) {
      return ready.get();
    }
    while (true) {
      CompletableFuture<Path> mine = new CompletableFuture<>();
      CompletableFuture<Path> other = building.putIfAbsent(dir, mine);
      if (other == null) {
        return buildAs(mine, venvs, dir, base, baseIdentity, env);
      }
      Optional<Path> built = await(other, dir);
      if (built.isPresent()) {
        return built.get();
      }
      // The thread that was building it was interrupted: take over.
    }
  }

  /**
   * The build id of the environment {@code interpreter} belongs to, when it is one built here
   * ({@code <venv>/bin/python} beside a valid marker), so that results of a rebuilt environment
   * are not taken for those of the one it replaced.
   */
  Optional<String> buildOf(Path interpreter) {
    Path bin = interpreter.getParent();
    if (bin == null || bin.getParent() == null || !bin.getFileName().toString().equals("bin")) {
      return Optional.empty();
    }
    return marker(bin.getParent()).map(Marker::build);
  }

  private Path buildAs(CompletableFuture<Path> mine, Path venvs, Path dir, Path base,
      String baseIdentity, EnvironmentSpec env) {
    try {
      Path python = locked(venvs, dir, base, baseIdentity, env);
      mine.complete(python);
      return python;
    } catch (InterruptedException e) {
      mine.cancel(false);
      Thread.currentThread().interrupt();
      throw new RGridException("interrupted while building the Python environment " + dir
          + "; nothing was kept", "run it again");
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      building.remove(dir, mine);
    }
  }

  /** The outcome of another thread's build, or empty when that thread gave up (interrupted). */
  private static Optional<Path> await(CompletableFuture<Path> other, Path dir) {
    try {
      return Optional.of(other.get());
    } catch (CancellationException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      // The same failure as the run that built it: it would fail the same way again.
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new RGridException("building the Python environment " + dir + " failed: "
          + e.getCause(), null, null, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RGridException("interrupted while waiting for the Python environment " + dir
          + " that another run is building", "run it again");
    }
  }

  /** Under the cross-process lock: finds the environment again, or builds it. */
  private Path locked(Path venvs, Path dir, Path base, String baseIdentity, EnvironmentSpec env)
      throws InterruptedException {
    try {
      PrivateFiles.createDirectories(venvs);
      Path lockFile = venvs.resolve(shortKey(env) + ".lock");
      try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE), PrivateFiles.fileAttributes(lockFile));
          FileLock lock = lock(channel)) {
        Optional<Path> ready = ready(dir, env.key(), baseIdentity);
        if (ready.isPresent()) {
          return ready.get();
        }
        removeLeftovers(venvs, dir);
        return build(venvs, dir, base, baseIdentity, env);
      }
    } catch (FileLockInterruptionException | ClosedByInterruptException e) {
      throw new InterruptedException("interrupted while using " + venvs);
    } catch (IOException e) {
      throw new BackendUnavailableException(BACKEND, "cannot build the Python environment "
          + dir + ": " + e, "check free disk space and that " + venvs + " is writable", e);
    }
  }

  /**
   * An exclusive lock on the whole file. The JVM keeps one lock table for all its channels, so
   * another runtime in this JVM holding it (a second {@code RGrid} on the same cache) shows as an
   * {@link OverlappingFileLockException}: wait and try again.
   */
  private static FileLock lock(FileChannel channel) throws IOException, InterruptedException {
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException e) {
        Thread.sleep(LOCK_RETRY.toMillis());
      }
    }
  }

  private Path build(Path venvs, Path dir, Path base, String baseIdentity, EnvironmentSpec env)
      throws IOException, InterruptedException {
    Path work = PrivateFiles.createDirectories(venvs.resolve(".build-" + shortKey(env) + "-"
        + UUID.randomUUID().toString().substring(0, 8)));
    try {
      Path venv = work.resolve("venv");
      Path requirements = work.resolve("requirements.txt");
      PrivateFiles.createFile(requirements);
      Files.write(requirements, env.requirements());
      Map<String, String> environment = Pip.environment(hostPath,
          Files.createDirectory(work.resolve("home")), Files.createDirectory(work.resolve("tmp")));
      Pip.checkCreated(base, venv, commands.run(List.of(base.toString(), "-m", "venv",
          venv.toString()), work, environment, CREATE_TIMEOUT, env.progress()));
      Path python = venv.resolve("bin").resolve("python");
      Map<String, String> pipEnvironment = Pip.withIndex(environment, env.index());
      Pip.checkInstalled(env, commands.run(Pip.installCommand(python, requirements, env.index()),
          work, pipEnvironment, installTimeout, env.progress()), installTimeout);
      Pip.relocate(venv, dir);
      Marker marker = new Marker(env.key(), env.requirements(), clock.instant().toString(),
          baseIdentity, dir.resolve("bin").resolve("python").toString(),
          UUID.randomUUID().toString().replace("-", ""));
      json.writerWithDefaultPrettyPrinter().writeValue(venv.resolve(MARKER).toFile(), marker);
      // Python and pip write with the umask's modes; the state directory's tree stays private.
      PrivateFiles.restrictTree(venv);
      Files.move(venv, dir, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("built the Python environment {} for {}", dir, env.requirements());
      return dir.resolve("bin").resolve("python");
    } finally {
      deleteQuietly(work);
    }
  }

  /** Under the lock: an incomplete or outdated environment, and builds that never finished. */
  private static void removeLeftovers(Path venvs, Path dir) throws IOException {
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      LOG.info("rebuilding the Python environment {}: incomplete or made for another "
          + "interpreter", dir);
      TmpDirs.deleteTree(dir);
    }
    try (DirectoryStream<Path> builds = Files.newDirectoryStream(venvs,
        ".build-" + dir.getFileName() + "-*")) {
      for (Path stale : builds) {
        TmpDirs.deleteTree(stale);
      }
    }
  }

  /** The environment in {@code dir} when it is complete and made on this base interpreter. */
  private Optional<Path> ready(Path dir, String key, String baseIdentity) {
    Path python = dir.resolve("bin").resolve("python");
    return marker(dir)
        .filter(m -> key.equals(m.key()) && baseIdentity.equals(m.interpreter()))
        .filter(m -> Files.isExecutable(python))
        .map(m -> python);
  }

  private Optional<Marker> marker(Path dir) {
    Path file = dir.resolve(MARKER);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      Marker m = json.readValue(file.toFile(), Marker.class);
      return m.key() == null || m.interpreter() == null || m.build() == null ? Optional.empty()
          : Optional.of(m);
    } catch (IOException e) {
      LOG.debug("unreadable environment marker {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      TmpDirs.deleteTree(dir);
    } catch (IOException e) {
      // The next build of this key removes it under the lock.
      LOG.warn("could not delete the build directory {}", dir, e);
    }
  }

  private static String shortKey(EnvironmentSpec env) {
    return env.key().substring(0, 32);
  }

  /**
   * What {@value #MARKER} holds. Never the package index: its URL may carry credentials.
   *
   * @param key the environment key
   * @param requirements what was installed
   * @param created when, as an ISO-8601 instant
   * @param interpreter the identity of the base interpreter it was made on
   * @param python the environment's interpreter, where it was built for
   * @param build a random id of this build
   */
  record Marker(String key, List<String> requirements, String created, String interpreter,
      String python, String build) {}
}
