package dev.rgrid.core.internal.deps;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEP 723 inline script metadata of a script: the {@code # /// script} comment block, whose
 * lines (without their {@code # } or {@code #} prefix) are TOML with a {@code dependencies} array
 * and an optional {@code requires-python} string.
 *
 * <p>Blocks are found exactly as PEP 723's reference regular expression finds them,
 *
 * <pre>{@code (?m)^# /// (?<type>[a-zA-Z0-9-]+)$\s(?<content>(^#(| .*)$\s)+)^# ///$}</pre>
 *
 * but line by line: Java runs a repeated group like {@code (…)+} by recursion, so the regular
 * expression itself overflows the stack on a long comment block.
 *
 * @param dependencies the parsed {@code dependencies}; empty when the block has none
 * @param requiresPython the {@code requires-python} specifier, normalised, when given
 * @param line the 1-based line of the {@code # /// script} header
 */
public record InlineMetadata(RequirementSet dependencies, Optional<String> requiresPython,
    int line) {

  private static final Pattern HEADER = Pattern.compile("# /// ([a-zA-Z0-9-]+)");
  private static final String SCRIPT_HEADER = "# /// script";
  private static final String CLOSER = "# ///";
  private static final TomlMapper TOML = new TomlMapper();
  private static final String HINT = "write the block as PEP 723 says: a line '# /// script', TOML "
      + "lines each starting with '#', and a closing line '# ///'";

  /** Checks the components. */
  public InlineMetadata {
    Objects.requireNonNull(dependencies, "dependencies");
    Objects.requireNonNull(requiresPython, "requiresPython");
  }

  /**
   * Finds and reads the {@code script} block of a script.
   *
   * @param source the script's text
   * @param scriptName how errors name the script, e.g. {@code analyse.py}
   * @return the metadata, or empty when the script has no {@code script} block
   * @throws DependencyException when there are two {@code script} blocks, a block is not closed,
   *     its TOML is invalid or {@code dependencies} / {@code requires-python} are malformed
   */
  public static Optional<InlineMetadata> find(String source, String scriptName) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(scriptName, "scriptName");
    String origin = "the PEP 723 block in " + scriptName;
    // Python reads scripts with universal newlines before PEP 723's expression sees them.
    String[] lines = source.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
    int[] closers = closers(lines);
    List<int[]> blocks = new ArrayList<>(); // {header, closer} of each 'script' block
    int i = 0;
    while (i < lines.length) {
      Matcher header = HEADER.matcher(lines[i]);
      int closer = header.matches() ? closers[i] : -1;
      if (closer < 0) {
        if (lines[i].equals(SCRIPT_HEADER)) {
          throw new DependencyException(origin + " opened at line " + (i + 1) + " is not closed "
              + "by a line '# ///' (or has no content)", HINT);
        }
        i++;
        continue;
      }
      if (header.group(1).equals("script")) {
        blocks.add(new int[] {i, closer});
      }
      i = closer + 1;
    }
    if (blocks.isEmpty()) {
      return Optional.empty();
    }
    if (blocks.size() > 1) {
      throw new DependencyException(scriptName + " has " + blocks.size() + " PEP 723 '# /// "
          + "script' blocks (lines " + (blocks.get(0)[0] + 1) + " and " + (blocks.get(1)[0] + 1)
          + "); PEP 723 allows one", "merge them into one block");
    }
    int[] block = blocks.get(0);
    StringBuilder toml = new StringBuilder();
    for (int k = block[0] + 1; k < block[1]; k++) {
      toml.append(lines[k].startsWith("# ") ? lines[k].substring(2) : lines[k].substring(1))
          .append('\n');
    }
    return Optional.of(read(toml.toString(), block[0] + 1, origin));
  }

  /**
   * For each line taken as a header, the line that would close its block, or -1. Like the
   * reference expression's greedy {@code (^#(| .*)$\s)+}, that is the last {@code # ///} line
   * among the comment lines that follow the header (each ending in a newline) and the line just
   * after them; the block must hold at least one line. Worked out for all lines in two passes, so
   * a script full of header-like lines still takes linear time.
   */
  private static int[] closers(String[] lines) {
    int count = lines.length;
    int[] runEnd = new int[count + 1]; // first line at or after k that is no comment + newline
    runEnd[count] = count;
    for (int k = count - 1; k >= 0; k--) {
      boolean comment = k + 1 < count && (lines[k].equals("#") || lines[k].startsWith("# "));
      runEnd[k] = comment ? runEnd[k + 1] : k;
    }
    int[] lastCloser = new int[count]; // last '# ///' line at or before k
    for (int k = 0; k < count; k++) {
      lastCloser[k] = lines[k].equals(CLOSER) ? k : k > 0 ? lastCloser[k - 1] : -1;
    }
    int[] closers = new int[count];
    for (int header = 0; header < count; header++) {
      int closer = header + 1 < count ? lastCloser[Math.min(runEnd[header + 1], count - 1)] : -1;
      closers[header] = closer >= header + 2 ? closer : -1;
    }
    return closers;
  }

  private static InlineMetadata read(String toml, int headerLine, String origin) {
    JsonNode root;
    try {
      root = TOML.readTree(toml);
    } catch (JacksonException e) { // the parser's only failure, garbage and deep nesting included
      JsonLocation location = e.getLocation();
      String where = location == null || location.getLineNr() < 1 ? ""
          : " at line " + (headerLine + location.getLineNr());
      throw new DependencyException(origin + " is not valid TOML" + where + ": "
          + e.getOriginalMessage(), HINT, e);
    }
    if (root == null || !root.isObject()) {
      return new InlineMetadata(RequirementSet.empty(), Optional.empty(), headerLine);
    }
    return new InlineMetadata(dependencies(root.get("dependencies"), origin),
        requiresPython(root.get("requires-python"), origin), headerLine);
  }

  private static RequirementSet dependencies(JsonNode node, String origin) {
    if (node == null) {
      return RequirementSet.empty();
    }
    if (!node.isArray()) {
      throw new DependencyException(origin + ": 'dependencies' must be an array of strings, not "
          + kind(node), "write dependencies = [\"requests>=2.31\", \"rich\"]");
    }
    List<Requirement> requirements = new ArrayList<>();
    for (int k = 0; k < node.size(); k++) {
      JsonNode element = node.get(k);
      if (!element.isTextual()) {
        throw new DependencyException(origin + ": dependencies[" + k + "] must be a string, not "
            + kind(element), "write dependencies = [\"requests>=2.31\", \"rich\"]");
      }
      try {
        requirements.add(Requirement.parse(element.textValue()));
      } catch (DependencyException e) {
        throw e.within(origin + ": dependencies[" + k + "]");
      }
    }
    try {
      return new RequirementSet(requirements);
    } catch (DependencyException e) {
      throw e.within(origin);
    }
  }

  private static Optional<String> requiresPython(JsonNode node, String origin) {
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new DependencyException(origin + ": 'requires-python' must be a string, not "
          + kind(node), "write requires-python = \">=3.11\"");
    }
    try {
      return Optional.of(Requirement.normaliseSpecifier(node.textValue()))
          .filter(s -> !s.isEmpty());
    } catch (DependencyException e) {
      throw e.within(origin + ": requires-python " + Requirement.quote(node.textValue()));
    }
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "a table";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value";
    };
  }
}
