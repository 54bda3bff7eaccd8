package dev.rgrid.spi.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A Python environment to build (once) and run scripts in: the runtime it extends and the
 * normalised requirement lines to install into it.
 *
 * @param key identifies the environment: a lowercase hex sha256 over the runtime and the
 *     normalised requirements, computed by core; equal keys mean interchangeable environments
 * @param requirements normalised PEP 508 requirement lines (validated by core: no pip options,
 *     no URLs, nothing a shell would interpret); never empty
 * @param index where packages come from
 * @param cacheDir a host directory the runtime may keep environments and locks in (the process
 *     runtime's virtualenvs live there; the Docker runtime keeps images on the engine instead)
 * @param progress receives the installer's output, line by line, as it comes
 */
public record EnvironmentSpec(String key, List<String> requirements, PackageIndex index,
    Path cacheDir, Consumer<String> progress) {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

  /** Checks the values. */
  public EnvironmentSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(cacheDir, "cacheDir");
    requirements = List.copyOf(requirements);
    progress = progress == null ? line -> { } : progress;
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("environment key must be 64 lowercase hex digits");
    }
    if (requirements.isEmpty()) {
      throw new IllegalArgumentException("an environment needs at least one requirement");
    }
    for (String r : requirements) {
      if (r.isBlank() || r.startsWith("-") || r.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("not a normalised requirement: '" + r + "'");
      }
    }
  }
}
