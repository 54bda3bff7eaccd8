package dev.rgrid.core.internal.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the modules beside a script that it imports, transitively, and the imports that are
 * neither local nor standard library. As Python puts the script's directory first on {@code
 * sys.path}, an imported name {@code foo} is local when the directory holds a package {@code foo/}
 * with {@code __init__.py}, else a module {@code foo.py}, else a directory {@code foo/} with
 * {@code .py} files in it (a namespace package); local code wins over the standard library as it
 * does in Python. Packages travel whole: every {@code .py} file below them, skipping {@code
 * __pycache__}, hidden entries and symbolic links that lead out of the script's directory.
 */
final class LocalModules {

  /** Most local files collected for one script. */
  static final int MAX_FILES = 1_000;
  /** Most bytes of local files collected for one script. */
  static final long MAX_BYTES = 50L << 20;
  // Bounds the walk through a big directory that turns out to hold no Python.
  private static final int MAX_ENTRIES = 100_000;
  private static final String HINT = "keep only the Python modules the script imports beside it,"
      + " or move the script into a directory of its own";

  /**
   * What was found.
   *
   * @param files the local files, relative to the script's directory with {@code /} separators,
   *     sorted; the script itself is not among them
   * @param thirdParty each imported top-level name that is neither local nor standard library,
   *     with the dotted names it was imported as
   * @param warnings local modules left out, and why
   */
  record Result(List<String> files, SortedMap<String, SortedSet<String>> thirdParty,
      List<String> warnings) {}

  private final Path root;
  private final Path realRoot;
  private final Path realScript;
  private final StandardLibrary standardLibrary;
  private final Map<String, Boolean> localNames = new HashMap<>();
  private final TreeSet<String> files = new TreeSet<>();
  private final SortedMap<String, SortedSet<String>> thirdParty = new TreeMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final Deque<Scan> pending = new ArrayDeque<>();
  private long bytes;
  private int entries;

  private record Scan(Path file, boolean inPackage) {}

  private LocalModules(Path script, StandardLibrary standardLibrary) throws IOException {
    this.root = script.toAbsolutePath().getParent();
    this.realRoot = root.toRealPath();
    this.realScript = script.toRealPath();
    this.standardLibrary = standardLibrary;
  }

  /**
   * Collects the local modules of a script whose text is {@code source}.
   *
   * @throws DependencyException when more than {@link #MAX_FILES} files or {@link #MAX_BYTES}
   *     bytes would travel, or a local module cannot be read
   */
  static Result collect(Path script, String source, StandardLibrary standardLibrary) {
    try {
      LocalModules modules = new LocalModules(script, standardLibrary);
      modules.resolve(ImportScanner.scan(source), false);
      while (!modules.pending.isEmpty()) {
        Scan next = modules.pending.poll();
        String text = new String(Files.readAllBytes(next.file()), StandardCharsets.UTF_8);
        modules.resolve(ImportScanner.scan(text), next.inPackage());
      }
      return new Result(List.copyOf(modules.files),
          Collections.unmodifiableSortedMap(modules.thirdParty), List.copyOf(modules.warnings));
    } catch (IOException e) {
      throw new DependencyException("cannot read the local modules beside " + script + ": " + e,
          "check that the files beside the script are readable", e);
    }
  }

  private void resolve(Imports imports, boolean inPackage) throws IOException {
    for (String module : imports.modules()) {
      String name = Imports.topLevelOf(module);
      if (!isLocal(name) && !standardLibrary.contains(name) && !name.equals("__main__")) {
        thirdParty.computeIfAbsent(name, key -> new TreeSet<>()).add(module);
      }
    }
    // Inside a package, relative imports stay in the package, which travels whole anyway.
    if (!inPackage) {
      for (String name : imports.relative()) {
        isLocal(name);
      }
    }
  }

  /** Whether a top-level name is local code, collecting it the first time it is asked about. */
  private boolean isLocal(String name) throws IOException {
    Boolean known = localNames.get(name);
    if (known != null) {
      return known;
    }
    localNames.put(name, true); // a circular import finds the name local while it is collected
    boolean local = collectName(name);
    localNames.put(name, local);
    return local;
  }

  private boolean collectName(String name) throws IOException {
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      return false;
    }
    Path directory = root.resolve(name);
    Path file = root.resolve(name + ".py");
    // Python's own order: a regular package, then a module, then a namespace package.
    if (Files.isRegularFile(directory.resolve("__init__.py"))) {
      return collectPackage(directory);
    }
    if (Files.isRegularFile(file)) {
      String outside = leavesRoot(file);
      if (outside != null) {
        warnings.add(outside);
      } else if (!file.toRealPath().equals(realScript)) {
        add(file);
        pending.add(new Scan(file, false));
      }
      return true; // local even when it cannot travel: it is no package to install
    }
    return Files.isDirectory(directory) && collectPackage(directory);
  }

  /** Collects every .py file below a package directory; false when there is none. */
  private boolean collectPackage(Path directory) throws IOException {
    String outside = leavesRoot(directory);
    if (outside != null) {
      warnings.add(outside);
      return true;
    }
    int before = files.size();
    walk(directory, new HashSet<>());
    return files.size() > before;
  }

  /** Walks a directory; {@code ancestors} holds the real paths above it, to stop link cycles. */
  private void walk(Path directory, Set<Path> ancestors) throws IOException {
    Path real = directory.toRealPath();
    if (!ancestors.add(real)) {
      return; // a symbolic link back to a directory above
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      for (Path child : stream) {
        if (++entries > MAX_ENTRIES) {
          throw new DependencyException(String.format(Locale.ROOT, "the directories imported "
              + "beside the script hold more than %,d entries", MAX_ENTRIES), HINT);
        }
        children.add(child);
      }
    }
    Collections.sort(children);
    for (Path child : children) {
      String name = child.getFileName().toString();
      if (name.startsWith(".") || name.equals("__pycache__")) {
        continue;
      }
      String outside = Files.isSymbolicLink(child) ? leavesRoot(child) : null;
      if (outside != null) {
        warnings.add(outside);
        continue;
      }
      if (Files.isDirectory(child)) {
        walk(child, ancestors);
      } else if (name.endsWith(".py") && Files.isRegularFile(child)) {
        add(child);
        pending.add(new Scan(child, true));
      }
    }
    ancestors.remove(real);
  }

  /**
   * A warning when the path, once symbolic links are followed, lies outside the script's
   * directory or nowhere; null when it may travel.
   */
  private String leavesRoot(Path path) {
    try {
      if (path.toRealPath().startsWith(realRoot)) {
        return null;
      }
      return relative(path) + " leads out of the script's directory through a symbolic link;"
          + " it is not sent with the script";
    } catch (IOException e) {
      return relative(path) + " is a broken symbolic link; it is not sent with the script";
    }
  }

  private void add(Path file) throws IOException {
    if (!files.add(relative(file))) {
      return;
    }
    bytes += Files.size(file);
    if (files.size() > MAX_FILES) {
      throw new DependencyException(String.format(Locale.ROOT, "the local modules imported by the"
          + " script hold more than %,d Python files", MAX_FILES), HINT);
    }
    if (bytes > MAX_BYTES) {
      throw new DependencyException(String.format(Locale.ROOT, "the local modules imported by the"
          + " script hold more than %,d bytes", MAX_BYTES), HINT);
    }
  }

  private String relative(Path path) {
    return root.relativize(path).toString().replace('\\', '/');
  }
}
