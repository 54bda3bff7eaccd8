package dev.rgrid.core.internal.batch;

import dev.rgrid.core.internal.batch.GlobPattern.Alternative;
import dev.rgrid.core.internal.batch.GlobWalker.DirectoryOpener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Expands the {@code rgrid run --batch GLOB} patterns into the files of a batch.
 *
 * <p>Syntax, per {@code /}-separated segment: {@code *} (any characters), {@code ?} (one
 * character), {@code [abc]}, {@code [a-z]}, {@code [!abc]} or {@code [^abc]} (one character of /
 * not of a set), {@code {a,b}} (either alternative; may nest and may contain {@code /}), and
 * {@code **} as a whole segment (any number of directories, <em>including none</em>, so
 * {@code **}{@code /x.csv} also finds {@code x.csv} at the top and {@code a/**}{@code /b} finds
 * {@code a/b}). A backslash makes the next character literal. This is the {@code glob:} syntax of
 * {@link java.nio.file.FileSystem#getPathMatcher} with three deliberate differences: {@code **}
 * may match zero directories, {@code **} inside a segment ({@code **.csv}) is rejected instead of
 * silently crossing directories, and braces may nest.
 *
 * <p>Rules that make a batch predictable:
 *
 * <ul>
 *   <li>Relative patterns start at the base directory, absolute ones ({@code /data/*.csv}) at the
 *       root; leading {@code ..} segments are allowed and resolved lexically.
 *   <li>Names starting with a dot are skipped unless the pattern segment that matches them starts
 *       with a dot ({@code .cache/*}, {@code **}{@code /.env}); {@code *} and {@code **} never
 *       pick up {@code .git} or {@code .DS_Store}.
 *   <li>Symbolic links to directories are never entered by a wildcard (no loops, no escaping the
 *       tree); a link written out in the pattern's leading literal segments ({@code linked/*.csv})
 *       is followed, since the user named it. Links to regular files are matched like files;
 *       broken links are skipped. Only regular files are returned.
 *   <li>The result is de-duplicated and sorted by path in Unicode code point order, which is the
 *       byte order of the UTF-8 paths, so the same tree always gives the same batch.
 *   <li>Every pattern must match at least one file, so a typo is an error rather than a smaller
 *       batch.
 * </ul>
 *
 * <p>The walk streams directories one at a time and holds only the matched paths.
 */
public final class Globs {
  /** Most files a batch expands to unless the caller says otherwise. */
  public static final int DEFAULT_MAX_MATCHES = 100_000;

  /** Orders paths by the code points of their text, i.e. by the bytes of their UTF-8 form. */
  public static final Comparator<Path> PATH_ORDER = (a, b) -> compareCodePoints(a.toString(),
      b.toString());

  private Globs() {}

  /**
   * Expands {@code patterns} with the default cap of {@value #DEFAULT_MAX_MATCHES} files.
   *
   * @see #expand(Path, List, int)
   */
  public static List<Path> expand(Path baseDir, List<String> patterns) {
    return expand(baseDir, patterns, DEFAULT_MAX_MATCHES);
  }

  /**
   * Expands {@code patterns} into the regular files they match.
   *
   * @param baseDir where relative patterns start (usually the working directory)
   * @param patterns one or more patterns, as given to {@code --batch}
   * @param maxMatches most files accepted; more is an error rather than a silently cut batch
   * @return absolute, normalised paths, each once, in {@link #PATH_ORDER}
   * @throws BatchException if a pattern is empty or malformed, matches nothing, a directory
   *     cannot be read, or more than {@code maxMatches} files match
   * @throws IllegalArgumentException if no pattern is given or {@code maxMatches < 1}
   */
  public static List<Path> expand(Path baseDir, List<String> patterns, int maxMatches) {
    return expand(baseDir, patterns, maxMatches, Files::newDirectoryStream);
  }

  static List<Path> expand(Path baseDir, List<String> patterns, int maxMatches,
      DirectoryOpener opener) {
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("no --batch pattern given");
    }
    if (maxMatches < 1) {
      throw new IllegalArgumentException("maxMatches must be at least 1, got " + maxMatches);
    }
    Path base = baseDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(base)) {
      throw new BatchException("cannot expand --batch patterns: " + base + " is not a directory",
          "run from an existing directory or use absolute patterns");
    }
    // Alternatives that start in the same directory share one walk, so '*.{csv,tsv}' reads the
    // directory once rather than twice.
    Map<Path, List<Alternative>> byRoot = new LinkedHashMap<>();
    for (int i = 0; i < patterns.size(); i++) {
      for (Alternative alternative : GlobPattern.parse(patterns.get(i), i)) {
        Path start = alternative.absolute() ? base.getRoot() : base;
        Path root = start.resolve(alternative.root()).normalize();
        byRoot.computeIfAbsent(root, r -> new ArrayList<>()).add(alternative);
      }
    }
    TreeSet<Path> found = new TreeSet<>(PATH_ORDER);
    BitSet matched = new BitSet(patterns.size());
    for (Map.Entry<Path, List<Alternative>> entry : byRoot.entrySet()) {
      Path root = entry.getKey();
      List<Alternative> walked = new ArrayList<>();
      for (Alternative alternative : entry.getValue()) {
        if (!alternative.segments().isEmpty()) {
          walked.add(alternative);
        } else if (Files.isRegularFile(root)) {
          add(found, root, maxMatches, patterns);
          matched.set(alternative.patternIndex());
        }
      }
      if (!walked.isEmpty() && Files.isDirectory(root)) {
        new GlobWalker(walked, opener, (file, pattern) -> {
          add(found, file, maxMatches, patterns);
          matched.set(pattern);
        }).walk(root);
      }
    }
    if (matched.cardinality() < patterns.size()) {
      throw noMatch(base, patterns, matched, byRoot);
    }
    return List.copyOf(found);
  }

  private static void add(Set<Path> found, Path file, int max, List<String> patterns) {
    if (found.add(file) && found.size() > max) {
      throw new BatchException("--batch " + quoted(patterns) + " matches more than " + max
          + " files", "narrow the pattern or split the work into several batches");
    }
  }

  private static dev.rgrid.core.NoMatchException noMatch(Path base, List<String> patterns, BitSet matched,
      Map<Path, List<Alternative>> byRoot) {
    List<String> missing = new ArrayList<>();
    Set<Path> roots = new LinkedHashSet<>();
    boolean allLiteral = true;
    for (int i = matched.nextClearBit(0); i < patterns.size(); i = matched.nextClearBit(i + 1)) {
      missing.add(patterns.get(i));
      for (Map.Entry<Path, List<Alternative>> e : byRoot.entrySet()) {
        for (Alternative alternative : e.getValue()) {
          if (alternative.patternIndex() == i) {
            roots.add(e.getKey());
            allLiteral &= alternative.segments().isEmpty();
          }
        }
      }
    }
    String where = roots.size() == 1 ? roots.iterator().next().toString() : base.toString();
    String hint;
    Path only = roots.size() == 1 ? roots.iterator().next() : null;
    if (only != null && !Files.exists(only)) {
      hint = only + " does not exist; relative patterns start at " + base;
    } else if (only != null && allLiteral && missing.size() == 1 && Files.isDirectory(only)) {
      hint = "that is a directory: use '" + missing.get(0) + "/*' or '" + missing.get(0)
          + "/**' for the files in it";
    } else {
      hint = "check the spelling; names starting with '.' only match a segment that starts with"
          + " '.'; quote the pattern so the shell does not expand it";
    }
    String subject = missing.size() == 1 ? "--batch pattern " + quoted(missing) + " matches"
        : "--batch patterns " + quoted(missing) + " match";
    return new dev.rgrid.core.NoMatchException(subject + " no file in " + where, hint);
  }

  private static String quoted(List<String> patterns) {
    return "'" + String.join("', '", patterns) + "'";
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
