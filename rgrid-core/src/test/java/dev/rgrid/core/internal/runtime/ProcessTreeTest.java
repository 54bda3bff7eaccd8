package dev.rgrid.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a script's process tree is ended after the script exits, seen through a {@code kill} on the
 * runtime's {@code PATH} that records each call before doing its work: a script that left nothing
 * behind costs no kill process; one that left a child gets its group killed, as before.
 */
class ProcessTreeTest {
  private static final RuntimeDefinition PYTHON = new RuntimeDefinition("python3.11",
      "rgrid/python:3.11", List.of("python3", "-u"), List.of("python3.11", "python3"), ".py");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  private static Path calls;
  private static ProcessRuntime runtime;

  @BeforeAll
  static void runtimeWithARecordingKill() throws Exception {
    Optional<Path> realKill = onPath("kill");
    assumeThat(realKill).as("kill on PATH").isPresent();
    Path bin = Files.createDirectories(dir.resolve("bin"));
    calls = dir.resolve("kill-calls");
    Path wrapper = bin.resolve("kill");
    Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\nexec '"
        + realKill.get() + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    runtime = new ProcessRuntime(bin + File.pathSeparator + System.getenv("PATH"), true);
    assumeThat(runtime.ownSession()).as("setsid on PATH").isTrue();
    runtime.prepare(PYTHON);
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void aScriptThatLeftNothingBehindCostsNoKillProcess() throws Exception {
    Files.deleteIfExists(calls);
    for (int i = 0; i < 3; i++) {
      assertThat(run("print('done')\n").exitCode()).isZero();
    }
    assertThat(calls).doesNotExist();
  }

  @Test
  void aChildLeftBehindStillHasItsGroupKilled() throws Exception {
    Files.deleteIfExists(calls);
    String script = "import subprocess, sys\n"
        + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
        + " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        + "open('child.pid', 'w').write(str(child.pid))\n";
    Path work = Files.createTempDirectory(dir, "work");
    ExitResult exit = run(script, work);
    assertThat(exit.exitCode()).isZero();
    long child = Long.parseLong(Files.readString(work.resolve("child.pid")).strip());
    Optional<ProcessHandle> handle = ProcessHandle.of(child);
    try {
      if (handle.isPresent()) {
        handle.get().onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
      assertThat(handle.map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    } finally {
      handle.ifPresent(ProcessHandle::destroyForcibly);
    }
    assertThat(Files.readAllLines(calls, StandardCharsets.UTF_8))
        .anySatisfy(line -> assertThat(line).startsWith("-KILL -- -"));
  }

  private static ExitResult run(String script) throws Exception {
    return run(script, Files.createTempDirectory(dir, "work"));
  }

  private static ExitResult run(String script, Path work) throws Exception {
    Path scriptDir = Files.createTempDirectory(dir, "script");
    Files.writeString(scriptDir.resolve("main.py"), script);
    ContainerSpec spec = new ContainerSpec("tree-" + System.nanoTime(), PYTHON, scriptDir,
        "main.py", work, List.of(), Map.of(), Limits.DEFAULT, Map.of(), null);
    OutputSink quiet = (stream, bytes, offset, length) -> { };
    try (Container c = runtime.start(spec, quiet)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).as("script ended within the deadline").isPresent();
      return exit.get();
    }
  }

  private static Optional<Path> onPath(String name) {
    return Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
        .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
  }
}
