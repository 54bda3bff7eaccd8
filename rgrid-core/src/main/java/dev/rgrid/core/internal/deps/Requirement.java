package dev.rgrid.core.internal.deps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PEP 508 requirement in canonical form: the package name normalised as PEP 503 says
 * (lower case, each run of {@code -_.} made one {@code -}), sorted extras, a version specifier with
 * no blanks and its clauses in a fixed order, and an optional environment marker. Direct
 * references ({@code name @ url}), local paths and pip options are not requirements here: only
 * packages from a package index are installed.
 *
 * <p>The constructor normalises and checks every component, so two requirements that mean the
 * same thing are equal and print the same.
 *
 * @param name the canonical package name, e.g. {@code scikit-learn}
 * @param extras the canonical extras, sorted and distinct; empty for none
 * @param specifier the version specifier, e.g. {@code >=1.0,<2}; empty for any version
 * @param marker the environment marker with normalised blanks, e.g. {@code python_version >=
 *     "3.8"}; empty for none
 */
public record Requirement(String name, List<String> extras, String specifier, String marker)
    implements Comparable<Requirement> {

  /** Longest requirement text accepted, in characters. */
  public static final int MAX_LENGTH = 1_000;

  static final String HINT = "write each requirement as name[extras]<version specifier>; <marker>,"
      + " for example requests[socks]>=2.31; python_version >= \"3.10\"";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");
  private static final Pattern HEAD =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)[ \\t]*(?:\\[([^\\[\\]]*)\\])?(.*)");
  private static final Pattern CLAUSE =
      Pattern.compile("[ \\t]*(~=|===|==|!=|<=|>=|<|>)[ \\t]*([A-Za-z0-9.*+!_-]+)[ \\t]*");
  private static final List<String> OPERATOR_ORDER =
      List.of("===", "==", "~=", ">=", ">", "<=", "<", "!=");
  private static final String ALLOWED_PUNCTUATION = " \t._-[],~=!<>*+;'\"()";
  private static final Comparator<Requirement> ORDER =
      Comparator.comparing(Requirement::name).thenComparing(Requirement::toString);

  /** Normalises and checks every component; see the class comment. */
  public Requirement {
    name = canonicalName(Objects.requireNonNull(name, "name"), "package name");
    extras = Objects.requireNonNull(extras, "extras").stream()
        .map(extra -> canonicalName(extra, "extra")).distinct().sorted().toList();
    specifier = specifier == null ? "" : normaliseSpecifier(checkCharacters(specifier));
    marker = marker == null || marker.isBlank() ? "" : Marker.normalise(checkCharacters(marker));
  }

  /**
   * Parses one requirement such as {@code Requests[socks] >= 2.0, <3 ; python_version>="3.8"}.
   *
   * @throws DependencyException naming the text and what is wrong with it: shell metacharacters,
   *     control characters, URLs, paths, pip options or any other departure from PEP 508
   */
  public static Requirement parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return parseChecked(text);
    } catch (DependencyException e) {
      throw e.within("invalid requirement " + quote(text));
    }
  }

  private static Requirement parseChecked(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new DependencyException(
          "it is " + text.length() + " characters long, more than " + MAX_LENGTH, HINT);
    }
    checkControlCharacters(text);
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new DependencyException("it is empty", HINT);
    }
    if (trimmed.startsWith("-")) {
      throw new DependencyException("pip options such as -r, -e, --index-url or --hash are not "
          + "accepted", "list packages only; give the package index with --index-url / "
          + "--find-links instead");
    }
    checkCharacters(trimmed);
    int semicolon = trimmed.indexOf(';');
    String head = semicolon < 0 ? trimmed : trimmed.substring(0, semicolon);
    String marker = semicolon < 0 ? null : trimmed.substring(semicolon + 1);
    if (marker != null && marker.isBlank()) {
      throw new DependencyException("nothing follows ';', where an environment marker belongs",
          HINT);
    }
    Matcher matcher = HEAD.matcher(head);
    if (!matcher.matches()) {
      throw new DependencyException("it does not start with a package name", HINT);
    }
    List<String> extras = new ArrayList<>();
    if (matcher.group(2) != null && !matcher.group(2).isBlank()) {
      for (String extra : matcher.group(2).split(",", -1)) {
        extras.add(extra.strip());
      }
    }
    String rest = matcher.group(3).strip();
    if (rest.startsWith("[")) {
      throw new DependencyException("the extras " + quote(rest) + " are malformed", HINT);
    }
    if (rest.startsWith("(") && rest.endsWith(")")) {
      rest = rest.substring(1, rest.length() - 1); // PEP 508 allows "name (>=1.0)"
    }
    return new Requirement(matcher.group(1), extras, rest, marker);
  }

  /** The PEP 503 form of a package name: lower case, each run of {@code -_.} made one {@code -}. */
  public static String canonicalName(String name) {
    return canonicalName(name, "package name");
  }

  /** True when {@code name} is a syntactically valid package name (before normalisation). */
  public static boolean isValidName(String name) {
    return name != null && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
  }

  private static String canonicalName(String name, String what) {
    String stripped = name.strip();
    if (!isValidName(stripped)) {
      throw new DependencyException(quote(name) + " is not a valid " + what + " (letters, digits "
          + "and . _ - inside, starting and ending with a letter or digit)", HINT);
    }
    return SEPARATORS.matcher(stripped.toLowerCase(Locale.ROOT)).replaceAll("-");
  }

  /** The specifier without blanks, clauses de-duplicated and in a fixed order; "" for none. */
  static String normaliseSpecifier(String text) {
    if (text.isBlank()) {
      return "";
    }
    List<String[]> clauses = new ArrayList<>();
    for (String clause : text.split(",", -1)) {
      Matcher matcher = CLAUSE.matcher(clause);
      if (!matcher.matches()) {
        throw new DependencyException(quote(clause.strip()) + " is not a version specifier (an "
            + "operator ~= == != <= >= < > === followed by a version)", HINT);
      }
      String operator = matcher.group(1);
      String version = matcher.group(2).toLowerCase(Locale.ROOT);
      int star = version.indexOf('*');
      if (star >= 0 && (!(operator.equals("==") || operator.equals("!="))
          || star != version.length() - 1 || !version.endsWith(".*"))) {
        throw new DependencyException(quote(operator + version) + " is not a valid specifier: a "
            + "wildcard is allowed only as a trailing .* after == or !=", HINT);
      }
      String[] pair = {operator, version};
      if (clauses.stream().noneMatch(c -> c[0].equals(operator) && c[1].equals(version))) {
        clauses.add(pair);
      }
    }
    // A fixed order (exact pins, lower bounds, upper bounds, exclusions) makes equal sets of
    // clauses print, compare and hash the same whatever order the user wrote them in.
    clauses.sort(Comparator.<String[]>comparingInt(c -> OPERATOR_ORDER.indexOf(c[0]))
        .thenComparing(c -> c[1]));
    StringBuilder out = new StringBuilder();
    for (String[] clause : clauses) {
      out.append(out.length() == 0 ? "" : ",").append(clause[0]).append(clause[1]);
    }
    return out.toString();
  }

  /** Refuses control characters (newline, NUL, …) but tab, so that no line can be injected. */
  private static void checkControlCharacters(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new DependencyException(String.format(Locale.ROOT,
            "it contains the control character U+%04X (newline, NUL and the like are refused)",
            (int) c), HINT);
      }
    }
  }

  /** Refuses control characters, URLs and anything outside PEP 508's punctuation. */
  private static String checkCharacters(String text) {
    checkControlCharacters(text);
    if (text.contains("://") || text.indexOf('@') >= 0) {
      throw new DependencyException("direct references and URLs ('name @ url') are not accepted;"
          + " only packages from a package index can be installed",
          "give the package index with --index-url / --find-links, or copy the module beside the"
              + " script");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alphanumeric =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alphanumeric || ALLOWED_PUNCTUATION.indexOf(c) >= 0) {
        continue;
      }
      throw new DependencyException("'" + c + "' is not allowed in a requirement (shell "
          + "metacharacters, paths, URLs, comments and non-ASCII text are refused)", HINT);
    }
    return text;
  }

  /** Quotes text for an error message, with control characters escaped and long text cut. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("'");
    int shown = Math.min(text.length(), 80);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(text.length() > shown ? "…'" : "'").toString();
  }

  /** Orders by name, then by canonical text. */
  @Override
  public int compareTo(Requirement other) {
    return ORDER.compare(this, other);
  }

  /** The canonical form, e.g. {@code requests[security,socks]>=2.0,<3; python_version >= "3.8"}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(name);
    if (!extras.isEmpty()) {
      out.append('[').append(String.join(",", extras)).append(']');
    }
    out.append(specifier);
    if (!marker.isEmpty()) {
      out.append("; ").append(marker);
    }
    return out.toString();
  }
}
