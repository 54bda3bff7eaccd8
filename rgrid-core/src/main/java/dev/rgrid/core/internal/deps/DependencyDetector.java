package dev.rgrid.core.internal.deps;

import dev.rgrid.core.internal.deps.Detection.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * Works out what a Python script needs installed, and which local modules travel with it. The
 * dependencies come from the first of these that exists, and later ones are not read:
 *
 * <ol>
 *   <li>the requirements file given explicitly ({@code --requirements FILE});
 *   <li>the script's PEP 723 {@code # /// script} block;
 *   <li>a {@code requirements.txt} beside the script;
 *   <li>the script's imports (and its local modules' imports) of modules that are neither local
 *       nor in the standard library of the given Python version, mapped to package names by
 *       {@link ModulePackages}.
 * </ol>
 *
 * <p>Local modules are found by scanning imports in every case. Nothing is run: not Python, not
 * pip. Instances hold no state and may be shared across threads.
 */
public final class DependencyDetector {

  private final ModulePackages packages;

  /** A detector with the built-in module-to-package mapping. */
  public DependencyDetector() {
    this(ModulePackages.defaults());
  }

  /** A detector with the given module-to-package mapping. */
  public DependencyDetector(ModulePackages packages) {
    this.packages = Objects.requireNonNull(packages, "packages");
  }

  /**
   * Detects the dependencies and local files of a script.
   *
   * @param script the Python script
   * @param explicitRequirements the requirements file the user gave, or {@code null}
   * @param pythonVersion the Python version the script will run on, e.g. {@code 3.12}, which
   *     decides what the standard library is; {@code null} or unknown means 3.11
   * @throws DependencyException when the script or an explicit file is missing or unreadable,
   *     the source that wins is malformed, or the local files exceed their limits
   */
  public Detection detect(Path script, Path explicitRequirements, String pythonVersion) {
    Objects.requireNonNull(script, "script");
    String scriptName = String.valueOf(script.getFileName());
    String source = readScript(script, scriptName);
    StandardLibrary standardLibrary = StandardLibrary.of(pythonVersion);
    LocalModules.Result local = LocalModules.collect(script, source, standardLibrary);

    if (explicitRequirements != null) {
      String origin = explicitRequirements.toString();
      if (!Files.exists(explicitRequirements)) {
        throw new DependencyException("the requirements file " + origin + " does not exist",
            "check the path given with --requirements");
      }
      return detection(RequirementsFile.read(explicitRequirements, origin), Source.EXPLICIT,
          "requirements file " + origin, local, List.of(), Optional.empty());
    }
    Optional<InlineMetadata> inline = InlineMetadata.find(source, scriptName);
    if (inline.isPresent()) {
      return detection(inline.get().dependencies(), Source.INLINE, "PEP 723 block in "
          + scriptName, local, List.of(), inline.get().requiresPython());
    }
    Path beside = script.toAbsolutePath().resolveSibling("requirements.txt");
    if (Files.isRegularFile(beside)) {
      return detection(RequirementsFile.read(beside, "requirements.txt"), Source.REQUIREMENTS_TXT,
          "requirements.txt beside the script", local, List.of(), Optional.empty());
    }
    return fromImports(scriptName, local);
  }

  private Detection fromImports(String scriptName, LocalModules.Result local) {
    List<String> warnings = new ArrayList<>(local.warnings());
    List<Requirement> requirements = new ArrayList<>();
    List<String> unmapped = new ArrayList<>();
    List<String> shown = new ArrayList<>();
    for (Map.Entry<String, SortedSet<String>> entry : local.thirdParty().entrySet()) {
      String module = entry.getKey();
      Set<Requirement> found = new LinkedHashSet<>();
      boolean listed = false;
      for (String dotted : entry.getValue()) {
        Optional<Requirement> mapped = packages.listed(dotted);
        listed |= mapped.isPresent();
        packages.packageFor(dotted).ifPresent(found::add);
      }
      if (found.isEmpty()) {
        warnings.add("the module " + module + " is imported but is not beside the script, not in"
            + " the standard library and cannot be a package name; nothing is installed for it");
        continue;
      }
      requirements.addAll(found);
      if (!listed) {
        unmapped.add(module);
      }
      List<String> names = found.stream().map(Requirement::name).distinct().toList();
      shown.add(names.equals(List.of(Requirement.canonicalName(module))) && !listed ? module
          : module + "→" + String.join(" & ", names));
    }
    if (requirements.isEmpty()) {
      return new Detection(RequirementSet.empty(), Source.NONE, scriptName + " has no PEP 723 "
          + "block, no requirements.txt beside it and no third-party imports", local.files(),
          List.of(), Optional.empty(), warnings);
    }
    RequirementSet set;
    try {
      set = new RequirementSet(requirements);
    } catch (DependencyException e) {
      throw e.within("the imports of " + scriptName);
    }
    String of = local.files().isEmpty() ? scriptName : scriptName + " and its local modules";
    return new Detection(set, Source.IMPORTS, "imports of " + of + ": "
        + Detection.shortList(shown), local.files(), unmapped, Optional.empty(), warnings);
  }

  private static Detection detection(RequirementSet requirements, Source source, String origin,
      LocalModules.Result local, List<String> unmapped, Optional<String> requiresPython) {
    return new Detection(requirements, source, origin, local.files(), unmapped, requiresPython,
        local.warnings());
  }

  /** The script's text; bytes that are not UTF-8 become U+FFFD, which no import can contain. */
  private static String readScript(Path script, String scriptName) {
    if (!Files.isRegularFile(script)) {
      throw new DependencyException("the script " + script + (Files.exists(script)
          ? " is not a regular file" : " does not exist"), "check the path of the script");
    }
    try (InputStream in = Files.newInputStream(script)) {
      byte[] bytes = in.readNBytes((int) LocalModules.MAX_BYTES + 1);
      if (bytes.length > LocalModules.MAX_BYTES) {
        throw new DependencyException(String.format(Locale.ROOT, "the script %s is larger than "
            + "%,d bytes", scriptName, LocalModules.MAX_BYTES), "keep data out of the script");
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      return text.startsWith("\uFEFF") ? text.substring(1) : text; // Python skips a BOM too
    } catch (IOException e) {
      throw new DependencyException("the script " + script + " cannot be read: " + e,
          "check that the file is readable", e);
    }
  }
}
