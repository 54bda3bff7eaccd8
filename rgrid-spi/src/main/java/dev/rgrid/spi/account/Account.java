package dev.rgrid.spi.account;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An account: whose executions, blobs and costs are whose. Every API key belongs to one.
 *
 * @param id its id
 * @param name a unique, human name (1-64 letters, digits, {@code .}, {@code _} or {@code -})
 * @param createdAt when it was created
 */
public record Account(AccountId id, String name, Instant createdAt) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Checks the values. */
  public Account {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    checkName(name);
  }

  /**
   * Checks an account name.
   *
   * @throws IllegalArgumentException saying what a name may be
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      String shown = name == null ? "null" : name.length() > 70 ? name.substring(0, 70) + "…"
          : name;
      throw new IllegalArgumentException("not an account name: '" + shown + "' (1-64 letters, "
          + "digits, '.', '_' or '-', starting with a letter or digit)");
    }
    return name;
  }
}
