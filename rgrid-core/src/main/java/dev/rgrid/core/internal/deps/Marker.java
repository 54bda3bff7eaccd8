package dev.rgrid.core.internal.deps;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Validates a PEP 508 environment marker and gives its normalised text. The grammar is PEP 508's
 * ({@code marker_or}); the character set is narrower than PEP 508 allows in strings (letters,
 * digits, blanks, quotes and {@code ._<>=!~()-}) because a requirement line may end up in a file
 * pip reads and nothing a real marker needs is lost.
 */
final class Marker {
  private static final Set<String> VARIABLES = Set.of(
      "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
      "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
      "implementation_name", "implementation_version", "extra");
  private static final Set<String> COMPARISONS =
      Set.of("<=", "<", "!=", "==", ">=", ">", "~=", "===");
  private static final int MAX_DEPTH = 32;

  private final String text;
  private final List<String> tokens = new ArrayList<>();
  private int next;

  private Marker(String text) {
    this.text = text;
  }

  /**
   * The marker with single blanks between tokens and double-quoted strings, for example {@code
   * python_version >= "3.8" and (sys_platform == "linux" or os_name == "nt")}.
   *
   * @throws DependencyException naming the offending text when it is not a PEP 508 marker
   */
  static String normalise(String text) {
    Marker marker = new Marker(text.strip());
    marker.tokenise();
    if (marker.tokens.isEmpty()) {
      throw new DependencyException("the environment marker after ';' is empty", Requirement.HINT);
    }
    StringBuilder out = new StringBuilder();
    marker.or(out, 0);
    if (marker.next < marker.tokens.size()) {
      throw marker.unexpected();
    }
    return out.toString();
  }

  private void tokenise() {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == '(' || c == ')') {
        tokens.add(String.valueOf(c));
        i++;
      } else if (c == '"' || c == '\'') {
        int end = text.indexOf(c, i + 1);
        if (end < 0) {
          throw invalid("the string " + text.substring(i) + " is not closed");
        }
        String content = text.substring(i + 1, end);
        for (int k = 0; k < content.length(); k++) {
          char s = content.charAt(k);
          if (!(Character.isLetterOrDigit(s) && s < 128) && " ._<>=!~()-\"'".indexOf(s) < 0) {
            throw invalid("'" + s + "' is not allowed in the marker string " + c + content + c);
          }
        }
        // Double quotes are the canonical form unless the string itself holds one.
        tokens.add(content.indexOf('"') >= 0 ? "'" + content + "'" : '"' + content + '"');
        i = end + 1;
      } else if ("<>=!~".indexOf(c) >= 0) {
        int start = i;
        while (i < text.length() && "<>=!~".indexOf(text.charAt(i)) >= 0) {
          i++;
        }
        tokens.add(text.substring(start, i));
      } else if (c < 128 && (Character.isLetter(c) || c == '_')) {
        int start = i;
        while (i < text.length() && text.charAt(i) < 128
            && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
                || text.charAt(i) == '.')) {
          i++;
        }
        tokens.add(text.substring(start, i));
      } else if (c == '-' || c == '.' || Character.isDigit(c)) {
        // Allowed in marker strings only; kept as a token so the parser says what is wrong.
        tokens.add(String.valueOf(c));
        i++;
      } else {
        throw invalid("'" + c + "' is not allowed in an environment marker");
      }
    }
  }

  private void or(StringBuilder out, int depth) {
    and(out, depth);
    while (peekIs("or")) {
      next++;
      out.append(" or ");
      and(out, depth);
    }
  }

  private void and(StringBuilder out, int depth) {
    expression(out, depth);
    while (peekIs("and")) {
      next++;
      out.append(" and ");
      expression(out, depth);
    }
  }

  private void expression(StringBuilder out, int depth) {
    if (peekIs("(")) {
      if (depth >= MAX_DEPTH) {
        throw invalid("parentheses are nested more than " + MAX_DEPTH + " deep");
      }
      next++;
      out.append('(');
      or(out, depth + 1);
      if (!peekIs(")")) {
        throw next < tokens.size() ? unexpected() : invalid("a ')' is missing");
      }
      next++;
      out.append(')');
      return;
    }
    out.append(variable());
    out.append(' ').append(operator()).append(' ');
    out.append(variable());
  }

  private String variable() {
    if (next >= tokens.size()) {
      throw invalid("it ends where a marker variable or quoted string is expected");
    }
    String token = tokens.get(next);
    if (VARIABLES.contains(token) || token.startsWith("\"") || token.startsWith("'")) {
      next++;
      return token;
    }
    throw invalid("'" + token + "' is not a marker variable (such as python_version or "
        + "sys_platform) nor a quoted string");
  }

  private String operator() {
    if (next >= tokens.size()) {
      throw invalid("it ends where a comparison operator is expected");
    }
    String token = tokens.get(next);
    if (COMPARISONS.contains(token) || token.equals("in")) {
      next++;
      return token;
    }
    if (token.equals("not") && next + 1 < tokens.size() && tokens.get(next + 1).equals("in")) {
      next += 2;
      return "not in";
    }
    throw invalid("'" + token + "' is not a comparison operator");
  }

  private boolean peekIs(String token) {
    return next < tokens.size() && tokens.get(next).equals(token);
  }

  private DependencyException unexpected() {
    return invalid("'" + tokens.get(next) + "' is unexpected here");
  }

  private DependencyException invalid(String reason) {
    return new DependencyException(
        "the environment marker '" + text + "' is not a valid PEP 508 marker: " + reason,
        Requirement.HINT);
  }
}
