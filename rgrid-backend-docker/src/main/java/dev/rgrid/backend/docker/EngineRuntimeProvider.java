package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerRuntimeProvider;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the providers of the runtimes on a Docker engine share: the environment they read (this
 * process's, or a given map), its {@link DockerSettings}, and one error for a {@code
 * DOCKER_HOST} that is no usable endpoint. Each runtime only says how it is made from them.
 */
abstract class EngineRuntimeProvider implements ContainerRuntimeProvider {
  private final Supplier<Map<String, String>> env;

  /** Reads this process's environment, when {@link #create()} is called. */
  EngineRuntimeProvider() {
    this.env = System::getenv;
  }

  /** Reads {@code env} (copied now). */
  EngineRuntimeProvider(Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.env = () -> copy;
  }

  /**
   * Connects the runtime to the engine that {@code DOCKER_HOST} names (the local socket when it
   * is unset).
   *
   * @throws BackendUnavailableException naming the endpoint, with what to do, when it is not
   *     usable or does not answer, or a setting in the environment is not valid
   */
  @Override
  public final ContainerRuntime create() {
    Map<String, String> read = env.get();
    DockerSettings chosen;
    try {
      chosen = DockerSettings.fromEnvironment(read);
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(Engine.BACKEND, e.getMessage(),
          "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it; "
              + Engine.HINT, e);
    }
    return create(chosen, read);
  }

  /**
   * The runtime on the engine of {@code settings}, with whatever else it reads from {@code
   * env}.
   *
   * @throws BackendUnavailableException when it cannot connect, or a setting of its own in
   *     {@code env} is not valid
   */
  abstract ContainerRuntime create(DockerSettings settings, Map<String, String> env);
}
