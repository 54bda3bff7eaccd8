package dev.rgrid.spi.runtime;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An environment a runtime keeps for later runs ({@link ContainerRuntime#environment}): a
 * virtualenv of the process runtime, an image of the Docker runtime.
 *
 * @param key the first 32 hex digits of its environment key ({@link EnvironmentSpec#key()}),
 *     what names it on disk and on the engine
 * @param name what it is, for people: a directory or an image name
 * @param bytes the space removing it gives back (an image's own layers, not its base image's)
 * @param created when it was built
 */
public record KeptEnvironment(String key, String name, long bytes, Instant created) {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{32}");

  /** Checks the values. */
  public KeptEnvironment {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(created, "created");
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("environment key must be 32 lowercase hex digits");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
    }
  }
}
