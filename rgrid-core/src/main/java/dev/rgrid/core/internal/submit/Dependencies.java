package dev.rgrid.core.internal.submit;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.blob.Blobs;
import dev.rgrid.core.internal.deps.DependencyDetector;
import dev.rgrid.core.internal.deps.DependencyException;
import dev.rgrid.core.internal.deps.Detection;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds what a Python script needs besides itself: the packages to install (see {@link
 * DependencyDetector}) and the local modules it imports, stored as blobs to travel with it.
 */
final class Dependencies {
  private static final DependencyDetector DETECTOR = new DependencyDetector();

  /**
   * What was found.
   *
   * @param requirements normalised requirement lines, empty when none
   * @param source where they came from, for people, or {@code null}
   * @param scriptFiles local modules, stored, by path relative to the script's directory
   * @param notes lines worth telling the user (what was detected, symbolic links left out)
   */
  record Found(List<String> requirements, String source, List<InputFile> scriptFiles,
      List<String> notes) {
    static final Found NONE = new Found(List.of(), null, List.of(), List.of());
  }

  private Dependencies() {}

  /** Detects the dependencies of {@code run}'s script for {@code runtime}. */
  static Found detect(RunSpec run, RuntimeDefinition runtime, BlobStore blobs) {
    Path explicit = run.requirementsFile() == null ? null
        : run.baseDirectory().resolve(run.requirementsFile()).normalize();
    String version = pythonVersion(runtime);
    if (version == null) {
      if (explicit != null) {
        throw new InvalidRunSpecException("runtime " + runtime.name() + " does not install "
            + "Python requirements", "drop --requirements, or run the script with a python "
            + "runtime");
      }
      return Found.NONE;
    }
    if (explicit == null && !run.detectDependencies()) {
      return Found.NONE;
    }
    Path script = run.baseDirectory().resolve(run.script()).normalize();
    Detection d;
    try {
      d = DETECTOR.detect(script, explicit, version);
    } catch (DependencyException e) {
      throw new InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
    }
    List<InputFile> files = new ArrayList<>();
    Path dir = script.toAbsolutePath().getParent();
    for (String rel : d.localFiles()) {
      Path file = dir.resolve(rel);
      try {
        BlobInfo info = Blobs.put(blobs, file);
        files.add(new InputFile(rel, info.key(), info.size()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read local module " + file, e);
      }
    }
    List<String> notes = new ArrayList<>(d.warnings());
    if (!d.requirements().isEmpty()) {
      notes.add(0, d.describe());
    }
    return new Found(d.requirements().lines(), d.requirements().isEmpty() ? null : d.origin(),
        files, notes);
  }

  /** {@code 3.11} for {@code python3.11}; {@code null} for runtimes that are not Python. */
  static String pythonVersion(RuntimeDefinition runtime) {
    String name = runtime.name();
    if (!name.startsWith("python")) {
      return null;
    }
    String v = name.substring("python".length());
    return v.matches("3\\.[0-9]{1,2}") ? v : "3.11";
  }
}
