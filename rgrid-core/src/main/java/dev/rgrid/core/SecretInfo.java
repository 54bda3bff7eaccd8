package dev.rgrid.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored secret as it may be shown: its name and when it was set, never its value.
 *
 * @param name the secret's name
 * @param updatedAt when it was last set
 */
public record SecretInfo(String name, Instant updatedAt) {
  /** Checks that neither is missing. */
  public SecretInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
