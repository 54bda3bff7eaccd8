package dev.rgrid.backend.docker;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.BackendUnavailableException;
import java.time.Duration;
import java.util.Map;

/**
 * Offers {@link SwarmRuntime} for discovery with {@link java.util.ServiceLoader}, as {@code
 * swarm} ({@code --engine swarm}, {@code RGRID_RUNTIME=swarm}). Its priority (10) is below the
 * Docker runtime's, so {@code auto} never prefers it: a swarm is chosen by name. {@link
 * #create()} connects to the engine {@code DOCKER_HOST} names, which must answer and be a swarm
 * manager, or throws a {@link BackendUnavailableException} naming the endpoint, with what to do.
 *
 * <p>Besides the Docker settings it reads {@code RGRID_SWARM_PENDING_LIMIT}: how many seconds a
 * run's task may stay pending because no node meets its placement constraints (default 60).
 */
public final class SwarmRuntimeProvider extends EngineRuntimeProvider {
  /** The variable naming the pending limit, in seconds. */
  public static final String PENDING_LIMIT = "RGRID_SWARM_PENDING_LIMIT";
  private static final long MAX_PENDING_SECONDS = 7 * 24 * 3600;

  /** Uses {@link DockerSettings#fromEnvironment()} ({@code DOCKER_HOST} or the local socket). */
  public SwarmRuntimeProvider() {
    super();
  }

  /** Uses the settings {@link DockerSettings#fromEnvironment(Map)} reads from {@code env}. */
  public SwarmRuntimeProvider(Map<String, String> env) {
    super(env);
  }

  /** {@code swarm}. */
  @Override
  public String name() {
    return "swarm";
  }

  /** 10: below the Docker runtime (100), above nothing that {@code auto} would pick first. */
  @Override
  public int priority() {
    return 10;
  }

  @Override
  SwarmRuntime create(DockerSettings settings, Map<String, String> env) {
    return new SwarmRuntime(settings, SwarmRuntime.DEFAULT_STAGING_LIMIT, pendingLimit(env));
  }

  private static Duration pendingLimit(Map<String, String> env) {
    String text = env.getOrDefault(PENDING_LIMIT, "").trim();
    if (text.isEmpty()) {
      return SwarmRuntime.DEFAULT_PENDING_LIMIT;
    }
    long seconds;
    try {
      seconds = text.length() > 9 ? -1 : Long.parseLong(text);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > MAX_PENDING_SECONDS) {
      throw new BackendUnavailableException(Engine.BACKEND, PENDING_LIMIT + " must be a whole "
          + "number of seconds from 1 to " + MAX_PENDING_SECONDS + ", was '"
          + shown(text) + "'",
          "set it to, say, 60, or unset it", null);
    }
    return Duration.ofSeconds(seconds);
  }

  /** At most 32 characters of {@code text}, anything but printable ASCII as {@code ?}. */
  private static String shown(String text) {
    String cut = text.length() > 32 ? text.substring(0, 32) + "…" : text;
    return cut.replaceAll("[^\\x20-\\x7E…]", "?");
  }
}
