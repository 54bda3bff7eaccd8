package dev.rgrid.core.internal.deps;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps an imported module to the package that provides it, for the well-known cases where the
 * names differ ({@code cv2} → {@code opencv-python}, {@code PIL} → {@code pillow}, {@code
 * sklearn} → {@code scikit-learn}, …), from the resource {@code module-packages.txt}. Any other
 * module is taken to be installed under its own top-level name.
 */
public final class ModulePackages {

  private static final ModulePackages DEFAULT = new ModulePackages(load());

  private final Map<String, String> packages;

  private ModulePackages(Map<String, String> packages) {
    this.packages = Map.copyOf(packages);
  }

  /** The built-in mapping. It is immutable, so one instance serves every caller. */
  public static ModulePackages defaults() {
    return DEFAULT;
  }

  /**
   * The listed package of a dotted module name, using the longest listed prefix (so {@code
   * google.cloud.storage} maps to {@code google-cloud-storage} and {@code google.protobuf} to
   * {@code protobuf}); empty when no prefix is listed.
   */
  public Optional<Requirement> listed(String module) {
    Objects.requireNonNull(module, "module");
    String prefix = module;
    while (true) {
      String exact = packages.get(prefix);
      if (exact != null) {
        return Optional.of(Requirement.parse(exact));
      }
      int dot = prefix.lastIndexOf('.');
      if (dot < 0) {
        return Optional.empty();
      }
      // "google.cloud.*" stands for "google.cloud.<one part>"; the part fills the '*'.
      String wildcard = packages.get(prefix.substring(0, dot) + ".*");
      if (wildcard != null && Requirement.isValidName(prefix.substring(dot + 1))) {
        return Optional.of(Requirement.parse(wildcard.replace("*", prefix.substring(dot + 1))));
      }
      prefix = prefix.substring(0, dot);
    }
  }

  /**
   * The package to install for a module: the listed one, else the module's top-level name as a
   * package name; empty when that name cannot be a package name (such as {@code __main__} or a
   * non-ASCII name).
   */
  public Optional<Requirement> packageFor(String module) {
    Optional<Requirement> listed = listed(module);
    if (listed.isPresent()) {
      return listed;
    }
    String topLevel = Imports.topLevelOf(module);
    return Requirement.isValidName(topLevel)
        ? Optional.of(new Requirement(topLevel, List.of(), "", ""))
        : Optional.empty();
  }

  private static Map<String, String> load() {
    Map<String, String> packages = new HashMap<>();
    for (String line : StandardLibrary.readLines("module-packages.txt")) {
      int equals = line.indexOf('=');
      if (equals < 1 || packages.put(line.substring(0, equals).strip(),
          line.substring(equals + 1).strip()) != null) {
        throw new IllegalStateException("bad or repeated line in module-packages.txt: " + line);
      }
      Requirement.parse(line.substring(equals + 1).replace("*", "x")); // fail early on typos
    }
    return packages;
  }
}
