package dev.rgrid.core.internal.deps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The requirements of a script: sorted, without duplicates and immutable. Two sets that list the
 * same requirements, in any order, case or spacing, are equal and have the same {@link #sha256()},
 * which makes the digest a key for caching built environments.
 *
 * @param requirements the requirements in canonical order (by name, then canonical text)
 */
public record RequirementSet(List<Requirement> requirements) {

  /** Most distinct requirements in one set. */
  public static final int MAX_REQUIREMENTS = 1_000;

  static final String TOO_MANY_HINT =
      "install only what the script needs, or build an image with the dependencies in it";

  private static final RequirementSet EMPTY = new RequirementSet(List.of());

  /**
   * Sorts and de-duplicates the requirements.
   *
   * @throws DependencyException when more than {@link #MAX_REQUIREMENTS} distinct requirements
   *     remain or a canonical line is longer than {@link Requirement#MAX_LENGTH}
   */
  public RequirementSet {
    requirements = Objects.requireNonNull(requirements, "requirements").stream()
        .map(r -> Objects.requireNonNull(r, "requirement")).distinct().sorted().toList();
    if (requirements.size() > MAX_REQUIREMENTS) {
      throw new DependencyException(String.format(Locale.ROOT,
          "%,d distinct requirements are listed, more than the %,d allowed",
          requirements.size(), MAX_REQUIREMENTS), TOO_MANY_HINT);
    }
    for (Requirement requirement : requirements) {
      String line = requirement.toString();
      if (line.length() > Requirement.MAX_LENGTH) {
        throw new DependencyException("the requirement " + Requirement.quote(line) + " is "
            + line.length() + " characters long, more than " + Requirement.MAX_LENGTH,
            Requirement.HINT);
      }
    }
  }

  /** The set with no requirements. */
  public static RequirementSet empty() {
    return EMPTY;
  }

  /** A set of the given requirements, sorted and de-duplicated. */
  public static RequirementSet of(Collection<Requirement> requirements) {
    return new RequirementSet(List.copyOf(requirements));
  }

  /** Parses each text with {@link Requirement#parse(String)} and makes a set of them. */
  public static RequirementSet parse(String... texts) {
    return new RequirementSet(Arrays.stream(texts).map(Requirement::parse).toList());
  }

  /** The canonical requirement lines, in order, ready for a requirements file. */
  public List<String> lines() {
    return requirements.stream().map(Requirement::toString).toList();
  }

  /** True when there is nothing to install. */
  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  /** How many distinct requirements the set holds. */
  public int size() {
    return requirements.size();
  }

  /** Lower-case hex SHA-256 of the canonical lines joined by {@code \n} (no trailing newline). */
  public String sha256() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] hash = digest.digest(String.join("\n", lines()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The canonical lines joined by {@code ", "}, e.g. {@code numpy>=1.26, pandas}. */
  @Override
  public String toString() {
    return String.join(", ", lines());
  }
}
