package dev.rgrid.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link ContainerRuntime} passes, with real Python scripts. Extend it and
 * return the runtime and a Python runtime definition it can run.
 */
public abstract class ContainerRuntimeContract {
  protected static final Duration DEADLINE = Duration.ofSeconds(60);
  protected ContainerRuntime runtime;
  @TempDir protected Path dir;
  private Path scriptDir;
  private Path workDir;
  private int counter;

  /** The runtime under test. */
  protected abstract ContainerRuntime newRuntime() throws Exception;

  /** A Python 3 runtime definition this runtime can run. */
  protected abstract RuntimeDefinition python();

  @BeforeEach
  void openRuntime() throws Exception {
    runtime = newRuntime();
    runtime.prepare(python());
  }

  @AfterEach
  void closeRuntime() {
    runtime.close();
  }

  /** Output captured per stream, with a latch on the first byte of stdout. */
  public static final class Captured implements OutputSink {
    /** Everything written to stdout. */
    public final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** Everything written to stderr. */
    public final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** Released by the first stdout byte. */
    public final CountDownLatch firstOut = new CountDownLatch(1);
    /** Released when both streams have closed. */
    public final CountDownLatch closed = new CountDownLatch(2);

    /** An empty capture. */
    public Captured() {}

    @Override
    public synchronized void write(Stream stream, byte[] bytes, int offset, int length) {
      (stream == Stream.STDOUT ? out : err).write(bytes, offset, length);
      if (stream == Stream.STDOUT) {
        firstOut.countDown();
      }
    }

    @Override
    public void closed(Stream stream) {
      closed.countDown();
    }

    /** Stdout so far, as UTF-8. */
    public synchronized String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    /** Stderr so far, as UTF-8. */
    public synchronized String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  protected ContainerSpec spec(String script, List<String> args, Map<String, String> env,
      byte[] stdin) throws Exception {
    counter++;
    scriptDir = Files.createDirectories(dir.resolve("script-" + counter));
    workDir = Files.createDirectories(dir.resolve("work-" + counter));
    Files.writeString(scriptDir.resolve("main.py"), script);
    ContainerPaths paths = runtime.paths(workDir, scriptDir, "main.py");
    assertThat(paths.workDir()).startsWith("/");
    return new ContainerSpec("tck-" + ProcessHandle.current().pid() + "-" + counter, python(),
        scriptDir, "main.py", workDir, args, env, Limits.DEFAULT,
        Map.of("dev.rgrid.test", "tck"), stdin == null ? null : new ByteArrayInputStream(stdin));
  }

  protected ExitResult runToEnd(ContainerSpec spec, Captured sink) throws Exception {
    try (Container c = runtime.start(spec, sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).as("script ended within the deadline").isPresent();
      return exit.get();
    }
  }

  @Test
  void reportsTheScriptsExitCode() throws Exception {
    Captured sink = new Captured();
    ExitResult exit = runToEnd(spec("import sys\nsys.exit(7)\n", List.of(), Map.of(), null), sink);
    assertThat(exit.exitCode()).isEqualTo(7);
    assertThat(exit.oomKilled()).isFalse();
  }

  @Test
  void keepsStdoutAndStderrApart() throws Exception {
    Captured sink = new Captured();
    String script = "import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n";
    ExitResult exit = runToEnd(spec(script, List.of(), Map.of(), null), sink);
    assertThat(exit.exitCode()).isZero();
    assertThat(sink.out()).isEqualTo("to out\n");
    assertThat(sink.err()).isEqualTo("to err\n");
    assertThat(sink.closed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void passesArgumentsAndEnvironmentUntouched() throws Exception {
    Captured sink = new Captured();
    List<String> args = List.of("two words", "ünïcødé", "--x=1", "'quoted' \"too\"", "$HOME", "-");
    String script = "import sys, os, json\nprint(json.dumps([sys.argv[1:], os.environ.get('GREETING')]))\n";
    runToEnd(spec(script, args, Map.of("GREETING", "hi there; rm -rf /"), null), sink);
    assertThat(sink.out().strip()).isEqualTo("[[\"two words\", \"\\u00fcn\\u00efc\\u00f8d\\u00e9\", "
        + "\"--x=1\", \"'quoted' \\\"too\\\"\", \"$HOME\", \"-\"], \"hi there; rm -rf /\"]");
  }

  @Test
  void runsInTheWorkingDirectoryAndLeavesItsFilesThere() throws Exception {
    Captured sink = new Captured();
    ContainerSpec spec = spec("open('result.txt','w').write('done')\n", List.of(), Map.of(), null);
    assertThat(runToEnd(spec, sink).exitCode()).isZero();
    assertThat(spec.workDir().resolve("result.txt")).hasContent("done");
  }

  @Test
  void feedsStdinToTheScript() throws Exception {
    Captured sink = new Captured();
    byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
    runToEnd(spec("import sys\nprint(sys.stdin.read().upper(), end='')\n", List.of(), Map.of(),
        input), sink);
    assertThat(sink.out()).isEqualTo("LINE ONE\nLINE TWO\n");
  }

  @Test
  void givesAnEmptyStdinWhenThereIsNone() throws Exception {
    Captured sink = new Captured();
    runToEnd(spec("import sys\nprint(repr(sys.stdin.read()))\n", List.of(), Map.of(), null), sink);
    assertThat(sink.out()).isEqualTo("''\n");
  }

  @Test
  void passesBinaryOutputByteForByte() throws Exception {
    Captured sink = new Captured();
    runToEnd(spec("import sys\nsys.stdout.buffer.write(bytes(range(256)))\n", List.of(), Map.of(),
        null), sink);
    byte[] expected = new byte[256];
    for (int i = 0; i < 256; i++) {
      expected[i] = (byte) i;
    }
    synchronized (sink) {
      assertThat(sink.out.toByteArray()).isEqualTo(expected);
    }
  }

  @Test
  void streamsOutputWhileTheScriptStillRuns() throws Exception {
    // The test speaks to the script through its working directory on this machine.
    org.junit.jupiter.api.Assumptions.assumeTrue(runtime.capabilities().localMounts(),
        "the runtime mounts no local directory");
    Captured sink = new Captured();
    // The script prints, then waits until the test creates 'go' in its working directory: the
    // output can only be seen by the test if the runtime delivers it live.
    String script = "import os, time\nprint('started', flush=True)\n"
        + "while not os.path.exists('go'):\n    time.sleep(0.02)\nprint('finished')\n";
    ContainerSpec spec = spec(script, List.of(), Map.of(), null);
    try (Container c = runtime.start(spec, sink)) {
      assertThat(sink.firstOut.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      // print() may reach the pipe as two writes ("started", "\n"): wait for the whole line.
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!sink.out().endsWith("\n") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(sink.out()).isEqualTo("started\n");
      Files.writeString(spec.workDir().resolve("go"), "");
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
    }
    assertThat(sink.out()).isEqualTo("started\nfinished\n");
  }

  @Test
  void awaitReturnsEmptyWhileTheScriptRuns() throws Exception {
    Captured sink = new Captured();
    ContainerSpec spec = spec("import time\nprint('up', flush=True)\ntime.sleep(600)\n", List.of(),
        Map.of(), null);
    try (Container c = runtime.start(spec, sink)) {
      assertThat(sink.firstOut.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(c.await(Duration.ofMillis(50))).isEmpty();
      c.kill();
      assertThat(c.await(DEADLINE)).as("ended after kill").isPresent();
    }
  }

  @Test
  void killEndsTheScriptAndEveryProcessItStarted() throws Exception {
    Captured sink = new Captured();
    // A child that inherits stdout and outlives its parent: output ends only when it is dead too.
    String script = "import subprocess, sys, time\n"
        + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        + "print('spawned', flush=True)\ntime.sleep(600)\n";
    ContainerSpec spec = spec(script, List.of(), Map.of(), null);
    try (Container c = runtime.start(spec, sink)) {
      assertThat(sink.firstOut.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      c.kill();
      c.kill();
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).isPresent();
      assertThat(exit.get().exitCode()).isNotZero();
      assertThat(sink.closed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS))
          .as("both output streams closed: no process holds them any more").isTrue();
    }
  }

  @Test
  void endsLeftoverChildrenWhenTheScriptExits() throws Exception {
    Captured sink = new Captured();
    String script = "import subprocess, sys\n"
        + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        + "print('parent done')\n";
    ContainerSpec spec = spec(script, List.of(), Map.of(), null);
    ExitResult exit = runToEnd(spec, sink);
    assertThat(exit.exitCode()).isZero();
    assertThat(sink.closed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void reportsAScriptThatCannotStartAsAFailedExit() throws Exception {
    Captured sink = new Captured();
    ExitResult exit = runToEnd(spec("this is not python(\n", List.of(), Map.of(), null), sink);
    assertThat(exit.exitCode()).isNotZero();
    assertThat(sink.err()).contains("SyntaxError");
  }

  @Test
  void refusesARuntimeItCannotProvide() {
    RuntimeDefinition missing = new RuntimeDefinition("nosuch9", "rgrid/nosuch9:none",
        List.of("nosuch-interpreter-9"), List.of("nosuch-interpreter-9"), ".x");
    assertThatThrownBy(() -> runtime.prepare(missing))
        .isInstanceOf(RuntimeUnavailableException.class)
        .satisfies(e -> assertThat(((RuntimeUnavailableException) e).hint()).isPresent());
  }
}
