package dev.rgrid.core.internal.deps;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The dependencies found for a script, where they came from, and the local files that must travel
 * with it.
 *
 * @param requirements what to install; empty for nothing
 * @param source which source gave {@code requirements}
 * @param origin that source for people, e.g. {@code PEP 723 block in analyse.py} or {@code
 *     imports of analyse.py: numpy, yaml→pyyaml}
 * @param localFiles the modules beside the script it imports, transitively, relative to its
 *     directory with {@code /} separators (e.g. {@code helpers.py}, {@code pkg/__init__.py});
 *     found by scanning imports whatever the source, and never including the script itself
 * @param unmappedImports with {@link Source#IMPORTS}: the imported top-level modules installed
 *     under their own name because no mapping lists them (a guess that fails at install time when
 *     wrong); otherwise empty
 * @param requiresPython the PEP 723 {@code requires-python} specifier, with {@link Source#INLINE}
 * @param warnings things left out that the user may want to know of, e.g. a local module that is
 *     a symbolic link leading out of the script's directory
 */
public record Detection(RequirementSet requirements, Source source, String origin,
    List<String> localFiles, List<String> unmappedImports, Optional<String> requiresPython,
    List<String> warnings) {

  /** Where the requirements came from; the first that exists, in this order, wins. */
  public enum Source {
    /** The file given with {@code --requirements}. */
    EXPLICIT,
    /** The script's PEP 723 {@code # /// script} block. */
    INLINE,
    /** A {@code requirements.txt} beside the script. */
    REQUIREMENTS_TXT,
    /** The third-party modules the script and its local modules import. */
    IMPORTS,
    /** None of the above: nothing to install. */
    NONE
  }

  private static final int SHOWN = 20;

  /** Checks and copies the components. */
  public Detection {
    Objects.requireNonNull(requirements, "requirements");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(origin, "origin");
    localFiles = List.copyOf(localFiles);
    unmappedImports = List.copyOf(unmappedImports);
    Objects.requireNonNull(requiresPython, "requiresPython");
    warnings = List.copyOf(warnings);
  }

  /**
   * One line for the CLI, e.g. {@code dependencies from PEP 723 block in analyse.py: numpy>=1.26,
   * pandas}; long lists are cut after 20 entries.
   */
  public String describe() {
    return switch (source) {
      case NONE -> "no dependencies: " + origin;
      case IMPORTS -> "dependencies from " + origin;
      default -> "dependencies from " + origin + ": "
          + (requirements.isEmpty() ? "none" : shortList(requirements.lines()));
    };
  }

  /** The items joined by {@code ", "}, cut after 20 with a count of the rest. */
  static String shortList(List<String> items) {
    if (items.size() <= SHOWN) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, SHOWN)) + " and " + (items.size() - SHOWN) + " more";
  }
}
