package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.tck.Wheels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python dependencies through the library on the process runtime, installed by real pip from a
 * wheelhouse the test builds (never from a network index).
 */
class DependenciesTest {
  private static final Duration DEADLINE = Duration.ofSeconds(180);

  @TempDir Path home;
  @TempDir Path src;
  @TempDir Path wheels;
  private RGrid rgrid;
  private final List<String> notices = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() throws Exception {
    Wheels.write(wheels, "tiny-pkg", "1.0.0");
    Wheels.write(wheels, "other-pkg", "2.0.0");
    rgrid = RGrid.builder().home(home).packageIndex(PackageIndex.offline(List.of(wheels)))
        .build();
  }

  @AfterEach
  void close() {
    rgrid.close();
  }

  private ExecutionRecord run(RunSpec.Builder spec) throws Exception {
    return rgrid.run(spec.listener(new ExecutionListener() {
      @Override
      public void onNotice(String message) {
        notices.add(message);
      }
    }).build()).await(DEADLINE).orElseThrow();
  }

  private List<String> logs(ExecutionRecord r) {
    return rgrid.logs(r.id(), 0, 10_000).stream().map(LogLine::text).toList();
  }

  private long environments() throws Exception {
    Path venvs = home.resolve("envs").resolve("venvs");
    if (!Files.isDirectory(venvs)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(venvs)) {
      return s.filter(Files::isDirectory).count();
    }
  }

  @Test
  void aPep723BlockIsInstalledOnceAndReused() throws Exception {
    Path script = Files.writeString(src.resolve("a.py"), String.join("\n",
        "# /// script",
        "# dependencies = [\"Tiny_Pkg >= 1.0\"]",
        "# ///",
        "import tiny_pkg",
        "print(tiny_pkg.hello())",
        ""));
    ExecutionRecord first = run(RunSpec.builder(script));
    assertThat(first.status()).as("%s %s", first.failure(), logs(first))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(logs(first)).contains("hello from tiny-pkg 1.0.0");
    assertThat(first.spec().requirements()).containsExactly("tiny-pkg>=1.0");
    assertThat(first.spec().requirementsSource()).contains("PEP 723");
    assertThat(notices).anySatisfy(n -> assertThat(n).contains("PEP 723").contains("tiny-pkg"));

    // Another script with the same requirements (differently written) uses the same environment.
    Path other = Files.writeString(src.resolve("b.py"), String.join("\n",
        "# /// script",
        "# dependencies = [\"tiny-pkg>=1.0\"]",
        "# ///",
        "import tiny_pkg",
        "print('b', tiny_pkg.VERSION)",
        ""));
    ExecutionRecord second = run(RunSpec.builder(other));
    assertThat(second.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(logs(second)).contains("b 1.0.0");
    assertThat(environments()).isEqualTo(1);
  }

  @Test
  void requirementsBesideTheScriptImportsAndLocalModules() throws Exception {
    Path dir = Files.createDirectories(src.resolve("proj"));
    Files.writeString(dir.resolve("requirements.txt"), "# pinned\nother-pkg==2.0.0\n");
    Files.writeString(dir.resolve("helpers.py"), "def shout(s):\n    return s.upper()\n");
    Path script = Files.writeString(dir.resolve("main.py"),
        "import helpers, other_pkg\nprint(helpers.shout(other_pkg.hello()))\n");
    ExecutionRecord r = run(RunSpec.builder(script));
    assertThat(r.status()).as("%s %s", r.failure(), logs(r)).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(logs(r)).contains("HELLO FROM OTHER-PKG 2.0.0");
    assertThat(r.spec().scriptFiles()).extracting(f -> f.path()).containsExactly("helpers.py");

    // Without requirements.txt, the import is detected and mapped to its package.
    Files.delete(dir.resolve("requirements.txt"));
    ExecutionRecord detected = run(RunSpec.builder(script));
    assertThat(detected.spec().requirements()).containsExactly("other-pkg");
    assertThat(detected.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void aFailedInstallEndsAsDependencyInstallWithPipsOwnError() throws Exception {
    Path reqs = Files.writeString(src.resolve("reqs.txt"), "no-such-package-anywhere\n");
    Path script = Files.writeString(src.resolve("c.py"), "print('never')\n");
    ExecutionRecord r = run(RunSpec.builder(script).requirementsFile(reqs));
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.failure().kind()).isEqualTo(FailureKind.DEPENDENCY_INSTALL);
    assertThat(r.failure().message()).contains("no-such-package-anywhere");
    assertThat(logs(r)).anySatisfy(l -> assertThat(l).contains("ERROR"));
    assertThat(logs(r)).doesNotContain("never");
    assertThat(environments()).isZero();
  }

  @Test
  void hostileRequirementsAreRefusedBeforeAnythingRuns() throws Exception {
    Path script = Files.writeString(src.resolve("d.py"), "print('never')\n");
    for (String bad : List.of("tiny-pkg; rm -rf /", "tiny-pkg $(id)", "`id`",
        "tiny-pkg && curl x", "-e .", "--index-url http://x/simple", "pkg @ file:///etc")) {
      Path reqs = Files.writeString(src.resolve("bad.txt"), bad + "\n");
      assertThatThrownBy(() -> rgrid.run(RunSpec.builder(script).requirementsFile(reqs).build()))
          .as(bad).isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("line 1");
    }
    Path missing = src.resolve("nope.txt");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(script).requirementsFile(missing)
        .build())).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("nope.txt");
    Path broken = Files.writeString(src.resolve("e.py"),
        "# /// script\n# dependencies = [\"x\"\nprint(1)\n");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(broken).build()))
        .isInstanceOf(InvalidRunSpecException.class);
  }

  @Test
  void theEnvironmentDirectoryDeletedUnderARunningInstanceIsRebuilt() throws Exception {
    Path script = Files.writeString(src.resolve("f.py"),
        "# /// script\n# dependencies = [\"tiny-pkg\"]\n# ///\nimport tiny_pkg\nprint('ok')\n");
    assertThat(run(RunSpec.builder(script)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    dev.rgrid.core.internal.runtime.TmpDirs.deleteTree(home.resolve("envs"));
    ExecutionRecord again = run(RunSpec.builder(script).cache(false));
    assertThat(again.status()).as("%s", again.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(environments()).isEqualTo(1);
  }
}
