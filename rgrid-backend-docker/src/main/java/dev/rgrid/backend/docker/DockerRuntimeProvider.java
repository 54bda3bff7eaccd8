package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerRuntimeProvider;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Offers {@link DockerRuntime} for discovery with {@link java.util.ServiceLoader}: the preferred
 * runtime (priority 100) whenever a Docker engine answers.
 */
public final class DockerRuntimeProvider implements ContainerRuntimeProvider {
  private final Supplier<DockerSettings> settings;

  /** Uses {@link DockerSettings#fromEnvironment()} ({@code DOCKER_HOST} or the local socket). */
  public DockerRuntimeProvider() {
    this(DockerSettings::fromEnvironment);
  }

  /** Uses the settings {@link DockerSettings#fromEnvironment(Map)} reads from {@code env}. */
  public DockerRuntimeProvider(Map<String, String> env) {
    this(() -> DockerSettings.fromEnvironment(Map.copyOf(env)));
  }

  private DockerRuntimeProvider(Supplier<DockerSettings> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** {@code docker}. */
  @Override
  public String name() {
    return "docker";
  }

  /** 100: preferred over the local process runtime. */
  @Override
  public int priority() {
    return 100;
  }

  /**
   * Connects to the engine, which must answer within the ping timeout (2 s by default).
   *
   * @throws BackendUnavailableException naming the endpoint tried, with what to do, when it does
   *     not answer or {@code DOCKER_HOST} is not a usable endpoint
   */
  @Override
  public ContainerRuntime create() {
    DockerSettings chosen;
    try {
      chosen = settings.get();
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(Engine.BACKEND, e.getMessage(),
          "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it; "
              + Engine.HINT, e);
    }
    return new DockerRuntime(chosen);
  }
}
