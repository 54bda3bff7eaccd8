package dev.rgrid.backend.docker;

import java.util.Map;

/**
 * Offers {@link DockerRuntime} for discovery with {@link java.util.ServiceLoader}: the preferred
 * runtime (priority 100) whenever a Docker engine answers. {@link #create()} connects to the
 * engine {@code DOCKER_HOST} names, which must answer within the ping timeout (2 s by default),
 * or throws a {@link dev.rgrid.spi.BackendUnavailableException} naming the endpoint tried, with
 * what to do.
 */
public final class DockerRuntimeProvider extends EngineRuntimeProvider {
  /** Uses {@link DockerSettings#fromEnvironment()} ({@code DOCKER_HOST} or the local socket). */
  public DockerRuntimeProvider() {
    super();
  }

  /** Uses the settings {@link DockerSettings#fromEnvironment(Map)} reads from {@code env}. */
  public DockerRuntimeProvider(Map<String, String> env) {
    super(env);
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

  @Override
  DockerRuntime create(DockerSettings settings, Map<String, String> env) {
    return new DockerRuntime(settings);
  }
}
