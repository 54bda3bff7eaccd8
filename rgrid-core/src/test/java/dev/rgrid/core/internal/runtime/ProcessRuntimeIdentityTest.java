package dev.rgrid.core.internal.runtime;

import static dev.rgrid.core.internal.runtime.ProcessRuntimeEnvironmentTest.PYTHON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the process runtime says its scripts run on, and how it runs installers. */
class ProcessRuntimeIdentityTest {
  @TempDir Path dir;
  private final ProcessRuntime runtime = new ProcessRuntime();

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  @Test
  void identityNamesTheRealInterpreterAndItsVersionAndStaysTheSame() throws Exception {
    runtime.prepare(PYTHON);
    Path interpreter = runtime.resolvedInterpreter(PYTHON.name()).orElseThrow();
    String version = ask(interpreter, "import sys; print(sys.version)");

    String identity = runtime.identity(PYTHON);

    assertThat(identity).isEqualTo("process:" + interpreter.toRealPath() + " "
        + version.replaceAll("\\s+", " "));
    assertThat(runtime.identity(PYTHON)).isEqualTo(identity);
    try (ProcessRuntime other = new ProcessRuntime()) {
      assertThat(other.identity(PYTHON)).as("the same in another process").isEqualTo(identity);
    }
  }

  @Test
  void asksForTheVersionOnceAndAgainWhenTheBinaryChanges() throws Exception {
    Path calls = dir.resolve("calls");
    Path fake = dir.resolve("fakelang");
    writeFake(fake, calls, "1.0");
    RuntimeDefinition def = new RuntimeDefinition("fake", "rgrid/fake:1", List.of("fakelang"),
        List.of(fake.toString()), ".fk");

    assertThat(runtime.identity(def)).isEqualTo("process:" + fake.toRealPath() + " fakelang 1.0");
    assertThat(runtime.identity(def)).isEqualTo("process:" + fake.toRealPath() + " fakelang 1.0");
    assertThat(Files.readAllLines(calls)).hasSize(1);

    FileTime before = Files.getLastModifiedTime(fake);
    writeFake(fake, calls, "2.0");
    Files.setLastModifiedTime(fake, FileTime.fromMillis(before.toMillis() + 10_000));
    assertThat(runtime.identity(def)).endsWith(" fakelang 2.0");
    assertThat(Files.readAllLines(calls)).hasSize(2);
  }

  @Test
  void refusesToInstallPythonRequirementsForAnotherLanguage() throws Exception {
    Path fake = dir.resolve("fakelang");
    writeFake(fake, dir.resolve("calls"), "1.0");
    RuntimeDefinition def = new RuntimeDefinition("fake", "rgrid/fake:1", List.of("fakelang"),
        List.of(fake.toString()), ".fk");
    EnvironmentSpec env = new EnvironmentSpec(ProcessRuntimeEnvironmentTest.key("x"),
        List.of("tiny-pkg"), PackageIndex.offline(List.of(dir)), dir.resolve("cache"), null);

    assertThatThrownBy(() -> runtime.environment(def, env))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("fake");
    assertThat(dir.resolve("cache")).doesNotExist();
  }

  @Test
  void killsTheWholeInstallerTreeAtTheDeadline() throws Exception {
    HostCommands host = new HostCommands(System.getenv("PATH"));
    StreamedCommand commands = new StreamedCommand(host.find("setsid").orElse(null),
        host.find("kill").orElse(null));
    Path pidFile = dir.resolve("pid");
    List<String> seen = new ArrayList<>();

    long started = System.nanoTime();
    StreamedCommand.Result result = commands.run(List.of("sh", "-c",
        "echo started; sleep 300 & echo $! > \"$1\"; wait", "sh", pidFile.toString()), dir,
        Map.of("PATH", System.getenv("PATH")), Duration.ofSeconds(1), seen::add);

    assertThat(result.timedOut()).isTrue();
    assertThat(result.succeeded()).isFalse();
    assertThat(seen).containsExactly("started");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    long child = Long.parseLong(Files.readString(pidFile).strip());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false))
        .as("the background child was killed too").isFalse();
  }

  @Test
  void keepsErrorLinesAndTheTailAndSurvivesAFailingProgressConsumer() throws Exception {
    StreamedCommand commands = new StreamedCommand(null, null);
    String script = "echo 'ERROR: first'; i=0; while [ $i -lt 50 ]; do echo line $i; i=$((i+1));"
        + " done; echo 'ERROR: last'; exit 3";

    StreamedCommand.Result result = commands.run(List.of("sh", "-c", script), dir,
        Map.of("PATH", System.getenv("PATH")), Duration.ofSeconds(30), line -> {
          throw new IllegalStateException("consumer broke");
        });

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.lines()).hasSize(StreamedCommand.TAIL_LINES + 1)
        .startsWith("ERROR: first", "line 31").endsWith("line 49", "ERROR: last");
  }

  @Test
  void reportsAPythonWithoutItsVenvModuleAsUnavailableWithAHint() throws Exception {
    // What Debian's python3 says when python3-venv is not installed.
    Path fake = dir.resolve("bin/python3");
    Files.createDirectories(fake.getParent());
    Files.writeString(fake, """
        #!/bin/sh
        case "$*" in
          *sys.executable*) echo "$0" ;;
          *sys.version*) echo "3.11.2 (main, Mar 13 2023) [GCC 12.2.0]" ;;
          "-m venv "*)
            echo "The virtual environment was not created successfully because ensurepip is not"
            echo "available.  On Debian/Ubuntu systems, you need to install the python3-venv"
            exit 1 ;;
        esac
        """);
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    RuntimeDefinition def = new RuntimeDefinition("debian", "rgrid/python:3", List.of("python3"),
        List.of(fake.toString()), ".py");
    EnvironmentSpec env = new EnvironmentSpec(ProcessRuntimeEnvironmentTest.key("deb"),
        List.of("tiny-pkg"), PackageIndex.offline(List.of(dir)), dir.resolve("cache"), null);

    assertThatThrownBy(() -> runtime.environment(def, env))
        .isInstanceOfSatisfying(RuntimeUnavailableException.class, e -> {
          assertThat(e.getMessage()).contains(fake.toString(), "venv");
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("python3-venv"));
        });
    try (var left = Files.list(dir.resolve("cache/venvs"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .allSatisfy(name -> assertThat(name).endsWith(".lock"));
    }
  }

  private static void writeFake(Path fake, Path calls, String version) throws IOException {
    Files.writeString(fake, "#!/bin/sh\necho called >> '" + calls + "'\necho fakelang "
        + version + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
  }

  private static String ask(Path python, String code) throws Exception {
    Process p = new ProcessBuilder(python.toString(), "-c", code).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return out;
  }
}
