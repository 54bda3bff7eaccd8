package dev.rgrid.spi.runtime;

import dev.rgrid.spi.BackendUnavailableException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a script in a container (or, for the local process runtime, a host process). Safe for use by
 * many threads. Every method may throw {@link BackendUnavailableException} when the engine cannot
 * be reached.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** A short name: {@code process}, {@code docker}. */
  String name();

  /** What it can do. */
  RuntimeCapabilities capabilities();

  /**
   * Makes a runtime ready to start containers (resolves the interpreter, finds or builds the
   * image). Idempotent and cheap once done.
   *
   * @throws RuntimeUnavailableException when this runtime cannot be provided here
   */
  void prepare(RuntimeDefinition runtime);

  /** Where a script started with these host directories sees them. */
  ContainerPaths paths(Path workDir, Path scriptDir, String scriptName);

  /**
   * Starts a container; its output goes to {@code sink} until it ends.
   *
   * @throws RuntimeUnavailableException when the runtime is not available
   */
  Container start(ContainerSpec spec, OutputSink sink);

  /**
   * What the scripts of {@code runtime} run on, as part of result cache keys: an image's content
   * id, or an interpreter's path and version. It changes whenever the environment does (a
   * rebuilt image), so that earlier results are not reused for it. Call after {@link #prepare}.
   */
  default String identity(RuntimeDefinition runtime) {
    return name() + ":" + runtime.image();
  }

  /**
   * Finds, or builds once, the environment {@code env} on top of {@code runtime}, and returns
   * the definition that runs scripts inside it. Concurrent calls for the same key build it once;
   * a built environment is reused by later calls, in this process and others.
   *
   * @throws DependencyInstallException when installing the requirements fails
   * @throws UnsupportedOperationException when this runtime cannot install requirements
   */
  default RuntimeDefinition environment(RuntimeDefinition runtime, EnvironmentSpec env) {
    throw new UnsupportedOperationException("the " + name() + " runtime cannot install Python "
        + "requirements");
  }

  /**
   * The environments this runtime keeps for {@code cacheDir} (the {@link EnvironmentSpec#cacheDir}
   * they were built or found with), for garbage collection to remove the least recently used
   * ones. The default, for a runtime that builds none, is empty.
   */
  default List<KeptEnvironment> environments(Path cacheDir) {
    return List.of();
  }

  /**
   * Removes the kept environment {@code key} of {@code cacheDir} ({@link KeptEnvironment#key()}).
   * The caller makes sure no run uses it; a later {@link #environment} call builds it again.
   *
   * @return whether it was removed (false when it was already gone, or the engine refused
   *     because something still uses it)
   */
  default boolean removeEnvironment(Path cacheDir, String key) {
    return false;
  }

  /**
   * Removes leftovers of earlier crashed processes: containers carrying all of {@code labels}.
   *
   * @return how many were removed
   */
  default int reap(Map<String, String> labels) {
    return 0;
  }

  /**
   * Removes the containers of runs (those started with an execution label) that RGrid processes of
   * this machine left behind when they ended (crashed, killed), first offering each to {@code
   * recover} with its labels: when that returns a sink, the container is stopped and what the
   * runtime kept of its output, from its start, reaches the sink as it was written (stdout and
   * stderr apart, in order), then both streams are closed; output the runtime no longer has is
   * simply missing. A runtime whose runs cannot outlive the process that started them has no such
   * leftovers: the default does nothing.
   */
  default void reapLeftovers(Function<Map<String, String>, OutputSink> recover) {}

  /**
   * How many CPUs one container may be given here: the machine's, or the Docker engine's, count.
   * Core refuses a run asking for more at submission, rather than let the engine refuse to start
   * it. The default, 0, means unknown (nothing is refused for it).
   */
  default int cpus() {
    return 0;
  }

  /** Releases the runtime's resources; the default does nothing. */
  @Override
  default void close() {}
}
