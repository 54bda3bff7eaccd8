package dev.rgrid.core.internal.deps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top-level module names of one Python version's standard library, from resource files
 * generated from {@code sys.stdlib_module_names} (Python is never run to find them).
 *
 * <p>Known versions are 3.11 and 3.12; a patch version such as {@code 3.12.4} counts as its minor
 * version. Any other, unparseable or {@code null} version uses the 3.11 list: the two differ only
 * in a few modules 3.12 removed ({@code asynchat}, {@code asyncore}, {@code distutils}, {@code
 * imp}, {@code smtpd}), so a wrong guess costs little.
 */
public final class StandardLibrary {

  /** The version used when none or an unknown one is given. */
  public static final String DEFAULT_VERSION = "3.11";

  private static final Pattern VERSION = Pattern.compile("\\s*(?:python)?\\s*(\\d+)\\.(\\d+)"
      + "(?:\\.\\d+)?\\S*\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern CHANGE = Pattern.compile("(\\d+\\.\\d+)\\s+([+-])(\\S+)");
  private static final List<String> KNOWN = List.of("3.11", "3.12");
  // Immutable and read once: the resources never change while the JVM runs.
  private static final List<StandardLibrary> LIBRARIES = load();

  private final String version;
  private final Set<String> modules;

  private StandardLibrary(String version, Set<String> modules) {
    this.version = version;
    this.modules = Set.copyOf(modules);
  }

  /**
   * The standard library of a Python version such as {@code 3.12} or {@code 3.12.4}; unknown or
   * {@code null} versions get the {@value #DEFAULT_VERSION} list.
   */
  public static StandardLibrary of(String pythonVersion) {
    String wanted = DEFAULT_VERSION;
    if (pythonVersion != null) {
      Matcher matcher = VERSION.matcher(pythonVersion);
      if (matcher.matches()) {
        wanted = matcher.group(1) + "." + matcher.group(2);
      }
    }
    int index = KNOWN.indexOf(wanted);
    return LIBRARIES.get(index < 0 ? 0 : index);
  }

  /** The version whose list this is, e.g. {@code 3.11}. */
  public String version() {
    return version;
  }

  /** True when {@code module}'s top-level name is part of this standard library. */
  public boolean contains(String module) {
    Objects.requireNonNull(module, "module");
    return modules.contains(Imports.topLevelOf(module));
  }

  private static List<StandardLibrary> load() {
    Set<String> names = new LinkedHashSet<>(readLines("stdlib-3.11.txt"));
    List<StandardLibrary> libraries = new ArrayList<>();
    libraries.add(new StandardLibrary("3.11", names));
    List<String> changes = readLines("stdlib-changes.txt");
    for (String version : KNOWN.subList(1, KNOWN.size())) {
      for (String change : changes) {
        Matcher matcher = CHANGE.matcher(change);
        if (!matcher.matches()) {
          throw new IllegalStateException("bad line in stdlib-changes.txt: " + change);
        }
        if (matcher.group(1).equals(version)) {
          if (matcher.group(2).equals("+")) {
            names.add(matcher.group(3));
          } else {
            names.remove(matcher.group(3));
          }
        }
      }
      libraries.add(new StandardLibrary(version, names));
    }
    return List.copyOf(libraries);
  }

  /** The non-blank, non-comment lines of a resource beside this class. */
  static List<String> readLines(String resource) {
    try (InputStream in = StandardLibrary.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the build");
      }
      List<String> lines = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String stripped = line.strip();
        if (!stripped.isEmpty() && !stripped.startsWith("#")) {
          lines.add(stripped);
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + resource, e);
    }
  }

  @Override
  public String toString() {
    return "Python " + version + " standard library (" + modules.size() + " modules)";
  }
}
