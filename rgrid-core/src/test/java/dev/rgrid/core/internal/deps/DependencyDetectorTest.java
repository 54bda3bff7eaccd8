package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.internal.deps.Detection.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DependencyDetectorTest {

  private static final String BLOCK =
      "# /// script\n# requires-python = '>=3.11'\n# dependencies = ['Rich>=13']\n# ///\n";

  @TempDir Path dir;

  private final DependencyDetector detector = new DependencyDetector();

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  @Test
  void anExplicitFileWinsAndOtherSourcesAreNotRead() throws IOException {
    Path script = write("main.py", "# /// script\n# dependencies = [\n# ///\nimport numpy\n");
    write("requirements.txt", "pandas\n");
    Path explicit = write("deps/dev.txt", "requests>=2\n");

    Detection detection = detector.detect(script, explicit, "3.11");

    assertThat(detection.source()).isEqualTo(Source.EXPLICIT);
    assertThat(detection.requirements().lines()).containsExactly("requests>=2");
    assertThat(detection.origin()).isEqualTo("requirements file " + explicit);
    assertThat(detection.unmappedImports()).isEmpty();
  }

  @Test
  void aPep723BlockWinsOverRequirementsTxtAndImports() throws IOException {
    Path script = write("analyse.py", BLOCK + "import numpy\n");
    write("requirements.txt", "pandas\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.source()).isEqualTo(Source.INLINE);
    assertThat(detection.requirements().lines()).containsExactly("rich>=13");
    assertThat(detection.requiresPython()).contains(">=3.11");
    assertThat(detection.origin()).isEqualTo("PEP 723 block in analyse.py");
    assertThat(detection.describe())
        .isEqualTo("dependencies from PEP 723 block in analyse.py: rich>=13");
  }

  @Test
  void anEmptyPep723BlockStillWins() throws IOException {
    Path script =
        write("s.py", "# /// script\n# requires-python = '>=3.12'\n# ///\nimport numpy\n");

    Detection detection = detector.detect(script, null, null);

    assertThat(detection.source()).isEqualTo(Source.INLINE);
    assertThat(detection.requirements().isEmpty()).isTrue();
    assertThat(detection.describe()).isEqualTo("dependencies from PEP 723 block in s.py: none");
  }

  @Test
  void requirementsTxtBesideTheScriptWinsOverImports() throws IOException {
    Path script = write("main.py", "import numpy\n");
    write("requirements.txt", "pandas\nNumPy>=1.26\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.source()).isEqualTo(Source.REQUIREMENTS_TXT);
    assertThat(detection.requirements().lines()).containsExactly("numpy>=1.26", "pandas");
    assertThat(detection.origin()).isEqualTo("requirements.txt beside the script");
  }

  @Test
  void errorsInRequirementsTxtNameTheFileAndLine() throws IOException {
    Path script = write("main.py", "import numpy\n");
    write("requirements.txt", "pandas\n--extra-index-url https://evil\n");

    assertThatThrownBy(() -> detector.detect(script, null, "3.11"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("requirements.txt line 2: the pip option '--extra-index-url'");
  }

  @Test
  void importsAreMappedToPackagesLeavingOutStandardLibraryAndLocalModules() throws IOException {
    Path script = write("analyse.py", """
        import os, sys, json
        import numpy as np
        import yaml
        from PIL import Image
        import helpers
        """);
    write("helpers.py", "import cv2\nimport collections\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.source()).isEqualTo(Source.IMPORTS);
    assertThat(detection.requirements().lines())
        .containsExactly("numpy", "opencv-python", "pillow", "pyyaml");
    assertThat(detection.localFiles()).containsExactly("helpers.py");
    assertThat(detection.unmappedImports()).containsExactly("numpy");
    assertThat(detection.origin()).isEqualTo(
        "imports of analyse.py and its local modules: PIL→pillow, cv2→opencv-python, numpy, "
            + "yaml→pyyaml");
    assertThat(detection.describe()).isEqualTo("dependencies from imports of analyse.py and its "
        + "local modules: PIL→pillow, cv2→opencv-python, numpy, yaml→pyyaml");
  }

  @Test
  void aModuleThatExistsNowhereBecomesARequirementOfItsOwnName() throws IOException {
    Path script = write("main.py", "import totally_unknown_module_xyz\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.requirements().lines()).containsExactly("totally-unknown-module-xyz");
    assertThat(detection.unmappedImports()).containsExactly("totally_unknown_module_xyz");
  }

  @Test
  void onlyStandardLibraryImportsMeanNoDependencies() throws IOException {
    Path script = write("main.py", "import os\nfrom pathlib import Path\nimport __main__\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.source()).isEqualTo(Source.NONE);
    assertThat(detection.requirements().isEmpty()).isTrue();
    assertThat(detection.describe()).isEqualTo("no dependencies: main.py has no PEP 723 block, "
        + "no requirements.txt beside it and no third-party imports");
  }

  @Test
  void theStandardLibraryDependsOnThePythonVersion() throws IOException {
    Path script = write("old.py", "import distutils.core\nimport asyncore\n");

    assertThat(detector.detect(script, null, "3.11").source()).isEqualTo(Source.NONE);
    assertThat(detector.detect(script, null, "3.12").requirements().lines())
        .containsExactly("pyasyncore", "setuptools");
  }

  @Test
  void importsThatCannotBePackageNamesAreWarnedAboutNotInstalled() throws IOException {
    Path script = write("main.py", "import _secret_native\nimport numpy\n");

    Detection detection = detector.detect(script, null, "3.11");

    assertThat(detection.requirements().lines()).containsExactly("numpy");
    assertThat(detection.warnings()).singleElement().asString()
        .contains("_secret_native").contains("nothing is installed");
  }

  @Test
  void refusesAMissingOrUnreadableExplicitFileAndAMissingScript() throws IOException {
    Path script = write("main.py", "import numpy\n");

    assertThatThrownBy(() -> detector.detect(script, dir.resolve("missing.txt"), "3.11"))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("missing.txt does not exist")
        .satisfies(e -> assertThat(((DependencyException) e).hint()).get().asString()
            .contains("--requirements"));
    Path directory = Files.createDirectories(dir.resolve("reqs"));
    assertThatThrownBy(() -> detector.detect(script, directory, "3.11"))
        .isInstanceOf(DependencyException.class).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> detector.detect(dir.resolve("nope.py"), null, "3.11"))
        .isInstanceOf(DependencyException.class).hasMessageContaining("nope.py does not exist");
  }

  @Test
  void garbageScriptsAreScannedWithoutFailing() throws IOException {
    byte[] garbage = new byte[100_000];
    new java.util.Random(7).nextBytes(garbage);
    Path script = dir.resolve("garbage.py");
    Files.write(script, garbage);
    assertThat(detector.detect(script, null, "3.11").source()).isNotNull();

    // Without quotes, brackets or backslashes, nothing can hide a later import.
    for (int i = 0; i < garbage.length; i++) {
      if ("'\"([{\\".indexOf(garbage[i]) >= 0) {
        garbage[i] = 'x';
      }
    }
    Files.write(script, garbage);
    Files.write(script, "\nimport numpy\n".getBytes(), java.nio.file.StandardOpenOption.APPEND);

    assertThat(detector.detect(script, null, "3.11").requirements().lines()).contains("numpy");
  }

  @Test
  void aScriptWithABomStillHasItsPep723Block() throws IOException {
    Path script = write("bom.py", "\uFEFF" + BLOCK);

    assertThat(detector.detect(script, null, "3.11").source()).isEqualTo(Source.INLINE);
  }
}
