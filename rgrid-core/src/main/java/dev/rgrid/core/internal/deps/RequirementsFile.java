package dev.rgrid.core.internal.deps;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads pip's requirements file syntax, limited to requirements: blank lines, whole-line and
 * trailing comments (a {@code #} at the start or after a blank), backslash line continuations and
 * CRLF line ends. Pip option lines ({@code -r}, {@code -e}, {@code --index-url}, …), URLs and
 * paths are refused, naming the file and line.
 */
public final class RequirementsFile {

  /** Largest requirements file read, in bytes; larger ones are refused unread. */
  public static final long MAX_BYTES = 1L << 20;

  // Pip's own comment rule (req_file.COMMENT_RE): '#' at line start or after whitespace.
  private static final Pattern COMMENT = Pattern.compile("(^|[ \\t]+)#.*$");
  private static final String OPTION_HINT =
      "list one package per line; give the package index with --index-url / --find-links instead";

  private RequirementsFile() {}

  /**
   * Reads and parses a requirements file, refusing files over {@link #MAX_BYTES} without reading
   * them whole.
   *
   * @param file the file to read
   * @param origin how errors name the file, e.g. {@code requirements.txt}
   * @throws DependencyException when the file is missing, unreadable, too large, not UTF-8 or
   *     holds an invalid line
   */
  public static RequirementSet read(Path file, String origin) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(origin, "origin");
    if (Files.isDirectory(file)) {
      throw new DependencyException(origin + " is a directory, not a requirements file",
          "give the path of a requirements file");
    }
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw tooLarge(origin);
      }
      // The size may lie (a pipe, a file still growing): read at most one byte past the limit.
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) MAX_BYTES + 1);
      }
    } catch (NoSuchFileException e) {
      throw new DependencyException("the requirements file " + origin + " does not exist",
          "check the path", e);
    } catch (IOException e) {
      throw new DependencyException("the requirements file " + origin + " cannot be read: " + e,
          "check that the file exists and is readable", e);
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(origin);
    }
    return parse(decode(bytes, origin), origin);
  }

  /**
   * Parses the text of a requirements file.
   *
   * @param content the file's text
   * @param origin how errors name the file, e.g. {@code requirements.txt}
   * @throws DependencyException naming origin and line ({@code requirements.txt line 12: …}) for
   *     an invalid line, or when more than {@link RequirementSet#MAX_REQUIREMENTS} distinct
   *     requirements are listed
   */
  public static RequirementSet parse(String content, String origin) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(origin, "origin");
    // Characters are at most as many as UTF-8 bytes, so this never refuses a file read() accepts.
    if (content.length() > MAX_BYTES) {
      throw tooLarge(origin);
    }
    // Texts seen are skipped, so files of many repeated lines parse each distinct text once.
    Set<String> seen = new HashSet<>();
    Set<Requirement> requirements = new LinkedHashSet<>();
    for (LogicalLine line : logicalLines(content)) {
      String text = COMMENT.matcher(line.text()).replaceFirst("").strip();
      if (text.isEmpty() || !seen.add(text)) {
        continue;
      }
      if (text.startsWith("-")) {
        String option = text.split("[ \\t=]", 2)[0];
        throw new DependencyException(origin + " line " + line.number() + ": the pip option "
            + Requirement.quote(option) + " is not accepted in a requirements file", OPTION_HINT);
      }
      try {
        requirements.add(Requirement.parse(text));
      } catch (DependencyException e) {
        throw e.within(origin + " line " + line.number());
      }
      if (requirements.size() > RequirementSet.MAX_REQUIREMENTS) {
        // Stop here rather than parse the rest of a huge file only to refuse it.
        throw new DependencyException(String.format(Locale.ROOT,
            "%s line %d: more than %,d distinct requirements are listed", origin, line.number(),
            RequirementSet.MAX_REQUIREMENTS), RequirementSet.TOO_MANY_HINT);
      }
    }
    try {
      return new RequirementSet(List.copyOf(requirements));
    } catch (DependencyException e) {
      throw e.within(origin);
    }
  }

  /** Joins continued lines the way pip does (req_file.join_lines), numbered by their first line. */
  private static List<LogicalLine> logicalLines(String content) {
    String[] physical = content.split("\r\n|\r|\n", -1);
    List<LogicalLine> lines = new ArrayList<>();
    StringBuilder pending = null;
    int pendingNumber = 0;
    for (int i = 0; i < physical.length; i++) {
      String line = physical[i];
      boolean comment = COMMENT.matcher(line).find();
      if (!line.endsWith("\\") || comment) {
        if (pending != null) {
          // A comment line ends a continuation; pip prefixes a blank so the comment still matches.
          pending.append(comment ? " " : "").append(line);
          lines.add(new LogicalLine(pendingNumber, pending.toString()));
          pending = null;
        } else {
          lines.add(new LogicalLine(i + 1, line));
        }
      } else {
        if (pending == null) {
          pending = new StringBuilder();
          pendingNumber = i + 1;
        }
        pending.append(line, 0, line.length() - 1);
      }
    }
    if (pending != null) {
      lines.add(new LogicalLine(pendingNumber, pending.toString()));
    }
    return lines;
  }

  private static String decode(byte[] bytes, String origin) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new DependencyException(origin + " is not UTF-8 text",
          "save the requirements file as UTF-8", e);
    }
  }

  private static DependencyException tooLarge(String origin) {
    return new DependencyException(String.format(Locale.ROOT,
        "%s is larger than %,d bytes, too large for a requirements file", origin, MAX_BYTES),
        "list only the packages the script needs");
  }

  private record LogicalLine(int number, String text) {}
}
