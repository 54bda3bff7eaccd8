package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.internal.deps.Detection.Source;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Local modules, seen through {@link DependencyDetector} as the wiring will see them. */
class LocalModulesTest {

  @TempDir Path dir;
  @TempDir Path outside;

  private final DependencyDetector detector = new DependencyDetector();

  private Path write(Path base, String name, String content) throws IOException {
    Path file = base.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private Path write(String name, String content) throws IOException {
    return write(dir, name, content);
  }

  private Detection detect(Path script) {
    return detector.detect(script, null, "3.11");
  }

  @Test
  void packagesTravelWholeAndModulesTransitively() throws IOException {
    Path script = write("main.py", "import helpers\nfrom pkg.sub import x\n");
    write("helpers.py", "import util\nimport requests\n");
    write("util.py", "import os\n");
    write("pkg/__init__.py", "");
    write("pkg/core.py", "import numpy\n");
    write("pkg/sub/__init__.py", "");
    write("pkg/sub/x.py", "from .. import core\nfrom . import y\n");
    write("pkg/data.json", "{}");
    write("unrelated.py", "import scipy\n");

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("helpers.py", "pkg/__init__.py",
        "pkg/core.py", "pkg/sub/__init__.py", "pkg/sub/x.py", "util.py");
    assertThat(detection.requirements().lines()).containsExactly("numpy", "requests");
  }

  @Test
  void localFilesAreReturnedWhateverTheDependencySource() throws IOException {
    Path script = write("main.py", "# /// script\n# dependencies = ['rich']\n# ///\nimport lib\n");
    write("lib.py", "import numpy\n");

    Detection detection = detect(script);

    assertThat(detection.source()).isEqualTo(Source.INLINE);
    assertThat(detection.requirements().lines()).containsExactly("rich");
    assertThat(detection.localFiles()).containsExactly("lib.py");
  }

  @Test
  void namespacePackagesCountOnlyWhenTheyHoldPythonFiles() throws IOException {
    Path script = write("main.py", "import tools.clean\nimport data\n");
    write("tools/clean.py", "");
    write("data/table.csv", "a,b\n");

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("tools/clean.py");
    assertThat(detection.requirements().lines()).containsExactly("data");
  }

  @Test
  void aRegularPackageWinsOverAModuleOfTheSameName() throws IOException {
    Path script = write("main.py", "import thing\n");
    write("thing.py", "");
    write("thing/__init__.py", "");

    assertThat(detect(script).localFiles()).containsExactly("thing/__init__.py");
  }

  @Test
  void skipsPycacheHiddenEntriesAndNonPythonFiles() throws IOException {
    Path script = write("main.py", "import pkg\n");
    write("pkg/__init__.py", "");
    write("pkg/__pycache__/mod.cpython-311.py", "");
    write("pkg/.hidden/secret.py", "");
    write("pkg/.dotfile.py", "");
    write("pkg/README.md", "");

    assertThat(detect(script).localFiles()).containsExactly("pkg/__init__.py");
  }

  @Test
  void aLocalModuleShadowsTheStandardLibraryAsInPython() throws IOException {
    Path script = write("main.py", "import logging\n");
    write("logging.py", "import requests\n");

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("logging.py");
    assertThat(detection.requirements().lines()).containsExactly("requests");
  }

  @Test
  void relativeImportsOfTheScriptAreLocalNeverRequirements() throws IOException {
    Path script = write("main.py", "from . import helpers\nfrom .missing import x\n");
    write("helpers.py", "");

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("helpers.py");
    assertThat(detection.source()).isEqualTo(Source.NONE);
  }

  @Test
  void circularLocalImportsTerminateAndTheScriptIsNotALocalFile() throws IOException {
    Path script = write("main.py", "import a\n");
    write("a.py", "import b\nimport main\n");
    write("b.py", "import a\nimport pandas\n");

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("a.py", "b.py");
    assertThat(detection.requirements().lines()).containsExactly("pandas");
  }

  @Test
  void aSymlinkedModuleLeadingOutsideIsNotCollectedNorInstalled() throws IOException {
    Path script = write("main.py", "import secrets_helper\nimport vendored\n");
    Path target = write(outside, "secrets_helper.py", "import numpy\n");
    Files.createSymbolicLink(dir.resolve("secrets_helper.py"), target);
    Path outsidePackage = Files.createDirectories(outside.resolve("vendored"));
    write(outside, "vendored/__init__.py", "");
    Files.createSymbolicLink(dir.resolve("vendored"), outsidePackage);

    Detection detection = detect(script);

    assertThat(detection.localFiles()).isEmpty();
    assertThat(detection.requirements().isEmpty()).isTrue();
    assertThat(detection.warnings()).hasSize(2)
        .anySatisfy(w -> assertThat(w).startsWith("secrets_helper.py leads out of the script's "
            + "directory"))
        .anySatisfy(w -> assertThat(w).startsWith("vendored leads out"));
  }

  @Test
  void symlinksInsideAPackageAreFollowedOnlyWhenTheyStayInside() throws IOException {
    Path script = write("main.py", "import pkg\n");
    write("pkg/__init__.py", "");
    Path shared = write("shared/common.py", "");
    Files.createSymbolicLink(dir.resolve("pkg/common.py"), shared);
    Files.createSymbolicLink(dir.resolve("pkg/escape.py"),
        write(outside, "escape.py", "import os\n"));
    Files.createSymbolicLink(dir.resolve("pkg/loop"), dir.resolve("pkg"));
    Files.createSymbolicLink(dir.resolve("pkg/broken.py"), dir.resolve("nothing-here.py"));

    Detection detection = detect(script);

    assertThat(detection.localFiles()).containsExactly("pkg/__init__.py", "pkg/common.py");
    assertThat(detection.warnings())
        .anySatisfy(w -> assertThat(w).startsWith("pkg/escape.py leads out"))
        .anySatisfy(w -> assertThat(w).startsWith("pkg/broken.py is a broken symbolic link"));
  }

  @Test
  @Timeout(60)
  void refusesMoreThanAThousandLocalFiles() throws IOException {
    Path script = write("main.py", "import big\n");
    for (int i = 0; i <= LocalModules.MAX_FILES; i++) {
      write("big/m" + i + ".py", "");
    }

    assertThatThrownBy(() -> detect(script))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("more than 1,000 Python files")
        .satisfies(e -> assertThat(((DependencyException) e).hint()).isPresent());
  }

  @Test
  void refusesMoreThanFiftyMebibytesOfLocalFiles() throws IOException {
    Path script = write("main.py", "import huge\n");
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve("huge.py").toFile(), "rw")) {
      file.setLength(LocalModules.MAX_BYTES + 1); // sparse: no 50 MiB actually written
    }

    assertThatThrownBy(() -> detect(script))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("more than 52,428,800 bytes");
  }
}
