package dev.rgrid.cli;

import dev.rgrid.core.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code rgrid run}'s options on the script's Python packages: which to install ({@code
 * --requirements}, {@code --no-deps}) and where from ({@code --index-url}, {@code --find-links},
 * {@code --no-index}). The first go into the run's spec; the second configure the RGrid that
 * prepares it, so they are not part of what is cached.
 */
final class PackageOptions {
  @Option(names = "--requirements", paramLabel = "FILE",
      description = "Python packages to install, one requirement per line (default: detected "
          + "from a PEP 723 block, a requirements.txt beside the script, or its imports).")
  Path requirements;

  @Option(names = "--no-deps", description = "Do not detect Python dependencies nor the local "
      + "modules the script imports: only the script and its inputs travel (no effect with "
      + "--requirements).")
  boolean noDeps;

  @Option(names = "--index-url", paramLabel = "URL",
      description = "Package index to install from (default: $RGRID_PIP_INDEX_URL, the config "
          + "file, else pip's default).")
  String indexUrl;

  @Option(names = "--find-links", paramLabel = "DIR",
      description = "A local directory of wheels to install from (repeatable).")
  List<Path> findLinks = new ArrayList<>();

  @Option(names = "--no-index", description = "Install only from --find-links directories.")
  boolean noIndex;

  /** Adds which packages to install to {@code builder}. */
  void apply(RunSpec.Builder builder) {
    builder.requirementsFile(requirements).detectDependencies(!noDeps);
  }

  /** Where packages are installed from, as given. */
  BaseCommand.Pip pip() {
    return new BaseCommand.Pip(indexUrl, findLinks, noIndex);
  }
}
