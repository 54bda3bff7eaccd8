package dev.rgrid.core.internal.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses one {@code --batch} pattern into brace-free alternatives, each a literal root (the
 * leading segments without wildcards, where the walk starts) and the segments matched below it.
 *
 * <p>Braces are expanded up front, shell style, rather than compiled into one regular expression:
 * that lets {@code {a,b}/x} walk two small directories instead of the whole tree, lets braces nest
 * and lets every segment be matched on its own, which the hidden-file rule and the pruning of
 * directories need.
 */
final class GlobPattern {
  /** Most alternatives one pattern's braces may expand to; more is surely a mistake. */
  static final int MAX_ALTERNATIVES = 1_000;

  private GlobPattern() {}

  /**
   * One brace-free alternative of a pattern.
   *
   * @param patternIndex which of the user's patterns it came from
   * @param absolute whether it starts at the file-system root rather than the base directory
   * @param root the literal leading segments (may contain {@code ..}), joined with {@code /}
   * @param segments what the rest of the path must match, one entry per path segment; empty when
   *     the whole pattern is literal
   */
  record Alternative(int patternIndex, boolean absolute, String root, List<Segment> segments) {}

  /** One path segment of a pattern: {@code **}, a literal name or a wildcard expression. */
  static final class Segment {
    private final boolean anyDepth;
    private final String literal;
    private final Pattern regex;
    private final boolean allowsHidden;

    private Segment(boolean anyDepth, String literal, Pattern regex, boolean allowsHidden) {
      this.anyDepth = anyDepth;
      this.literal = literal;
      this.regex = regex;
      this.allowsHidden = allowsHidden;
    }

    /** Whether this is {@code **}: any number of directories, including none. */
    boolean anyDepth() {
      return anyDepth;
    }

    /**
     * Whether {@code name} matches. Names starting with a dot only match segments that start
     * with a dot too, as in a shell, so {@code *} does not pick up {@code .DS_Store} or
     * {@code .git}.
     */
    boolean matches(String name) {
      if (anyDepth) {
        return !name.startsWith(".");
      }
      if (name.startsWith(".") && !allowsHidden) {
        return false;
      }
      return literal != null ? literal.equals(name) : regex.matcher(name).matches();
    }
  }

  /** Parses {@code pattern}, the {@code index}-th of the user's patterns. */
  static List<Alternative> parse(String pattern, int index) {
    if (pattern == null || pattern.isBlank()) {
      throw new BatchException("empty --batch pattern",
          "give a pattern such as 'data/*.csv' (quoted, so the shell does not expand it)");
    }
    if (pattern.indexOf('\0') >= 0) {
      throw malformed(pattern.replace("\0", "\\0"), "it contains a NUL character");
    }
    List<String> expanded = new ArrayList<>();
    expandBraces(pattern, pattern, expanded);
    List<Alternative> result = new ArrayList<>(expanded.size());
    for (String alternative : expanded) {
      result.add(alternative(pattern, index, alternative));
    }
    return result;
  }

  private static void expandBraces(String original, String text, List<String> out) {
    int open = -1;
    for (int i = 0; i < text.length() && open < 0; i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = Math.max(i, classEnd(text, i));
      } else if (c == '{') {
        open = i;
      }
    }
    if (open < 0) {
      if (out.size() >= MAX_ALTERNATIVES) {
        throw new BatchException("--batch pattern '" + original + "' expands to more than "
            + MAX_ALTERNATIVES + " alternatives", "use fewer or smaller {a,b} groups");
      }
      out.add(text);
      return;
    }
    List<String> choices = new ArrayList<>();
    int depth = 0;
    int start = open + 1;
    for (int i = open + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = Math.max(i, classEnd(text, i));
      } else if (c == '{') {
        depth++;
      } else if (c == ',' && depth == 0) {
        choices.add(text.substring(start, i));
        start = i + 1;
      } else if (c == '}' && depth-- == 0) {
        choices.add(text.substring(start, i));
        String prefix = text.substring(0, open);
        String suffix = text.substring(i + 1);
        for (String choice : choices) {
          expandBraces(original, prefix + choice + suffix, out);
        }
        return;
      }
    }
    throw malformed(original, "'{' at position " + (open + 1) + " is never closed with '}'");
  }

  /**
   * The index of the {@code ]} closing the class opened at {@code open}, or -1. A {@code ]} right
   * after {@code [}, {@code [!} or {@code [^} is a member, as in POSIX; a class never spans a
   * {@code /}.
   */
  private static int classEnd(String text, int open) {
    int i = open + 1;
    if (i < text.length() && (text.charAt(i) == '!' || text.charAt(i) == '^')) {
      i++;
    }
    if (i < text.length() && text.charAt(i) == ']') {
      i++;
    }
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ']') {
        return i;
      }
      if (c == '/') {
        return -1;
      }
    }
    return -1;
  }

  private static Alternative alternative(String original, int index, String text) {
    boolean absolute = text.startsWith("/");
    StringBuilder root = new StringBuilder();
    List<Segment> segments = new ArrayList<>();
    for (String part : text.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue; // "a//b", "./a" and a trailing "/" mean what they mean in a shell
      }
      if (part.equals("..")) {
        if (!segments.isEmpty()) {
          throw malformed(original, "'..' may only come before the first wildcard");
        }
        root.append(root.length() == 0 ? "" : "/").append(part);
        continue;
      }
      Segment segment = segment(original, part);
      if (segments.isEmpty() && segment.literal != null) {
        root.append(root.length() == 0 ? "" : "/").append(segment.literal);
      } else {
        segments.add(segment);
      }
    }
    return new Alternative(index, absolute, root.toString(), List.copyOf(segments));
  }

  private static Segment segment(String original, String part) {
    if (part.equals("**")) {
      return new Segment(true, null, null, false);
    }
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    boolean wild = false;
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < part.length() && part.charAt(i + 1) == '*') {
            throw malformed(original, "'**' must be a whole path segment, as in 'data/**/*.csv'");
          }
          wild = true;
          regex.append(".*");
        }
        case '?' -> {
          wild = true;
          regex.append('.');
        }
        case '[' -> {
          int end = classEnd(part, i);
          if (end < 0) {
            throw malformed(original, "'[' in '" + part + "' is never closed with ']'");
          }
          wild = true;
          appendClass(regex, part.substring(i + 1, end));
          i = end;
        }
        case '\\' -> {
          if (++i == part.length()) {
            throw malformed(original, "'\\' at the end of '" + part + "' escapes nothing");
          }
          appendLiteral(regex, literal, part.charAt(i));
        }
        default -> appendLiteral(regex, literal, c);
      }
    }
    boolean allowsHidden = part.startsWith(".") || part.startsWith("\\.");
    if (!wild) {
      return new Segment(false, literal.toString(), null, allowsHidden);
    }
    try {
      return new Segment(false, null, Pattern.compile(regex.toString(), Pattern.DOTALL),
          allowsHidden);
    } catch (PatternSyntaxException e) {
      throw malformed(original, "'" + part + "' is not a valid wildcard (" + e.getDescription()
          + ")");
    }
  }

  private static void appendLiteral(StringBuilder regex, StringBuilder literal, char c) {
    literal.append(c);
    // A backslash before any ASCII character that is not a letter or digit is always a plain
    // literal in java.util.regex; letters, digits and non-ASCII characters need no quoting.
    if (c < 128 && !Character.isLetterOrDigit(c)) {
      regex.append('\\');
    }
    regex.append(c);
  }

  private static void appendClass(StringBuilder regex, String body) {
    regex.append('[');
    int first = 0;
    if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
      regex.append('^');
      first = 1;
    }
    for (int i = first; i < body.length(); i++) {
      char c = body.charAt(i);
      // '-' between two members is a range; first or last it is a member, as in POSIX
      if (c == '-' && i > first && i + 1 < body.length()) {
        regex.append('-');
      } else {
        // Inside a glob class every character but a range's '-' is a member, so quote anything
        // java.util.regex would give a meaning ('[', '&&', '\\', '^', '-').
        if (c < 128 && !Character.isLetterOrDigit(c)) {
          regex.append('\\');
        }
        regex.append(c);
      }
    }
    regex.append(']');
  }

  private static BatchException malformed(String pattern, String why) {
    return new BatchException("malformed --batch pattern '" + pattern + "': " + why,
        "use * ? [abc] {a,b} and ** as whole segments; put a backslash before a literal"
            + " *, ?, [ or {");
  }
}
