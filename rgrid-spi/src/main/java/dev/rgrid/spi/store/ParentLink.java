package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.util.Objects;

/**
 * A run this one depends on: it waits for {@code parent} to succeed and, when {@code glob} is
 * given, takes the parent's output files matching it as inputs, each under its own name.
 *
 * @param parent the execution waited for
 * @param glob the parent's outputs taken (a relative path, or a glob over them: {@code *}, {@code
 *     ?}, {@code **}), or {@code null} to wait only
 */
public record ParentLink(ExecutionId parent, String glob) {
  /** The longest glob accepted. */
  public static final int MAX_GLOB = 1024;

  /** Checks the values. */
  public ParentLink {
    Objects.requireNonNull(parent, "parent");
    if (glob != null && (glob.isBlank() || glob.length() > MAX_GLOB || glob.startsWith("/")
        || glob.indexOf('\0') >= 0 || glob.contains("\\"))) {
      throw new IllegalArgumentException("an output of " + parent + " must be a relative path or "
          + "glob of at most " + MAX_GLOB + " characters without '\\', was '" + glob + "'");
    }
  }

  /** Waits for {@code parent} without taking its outputs. */
  public static ParentLink after(ExecutionId parent) {
    return new ParentLink(parent, null);
  }
}
