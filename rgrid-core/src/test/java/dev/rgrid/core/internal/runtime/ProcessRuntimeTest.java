package dev.rgrid.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import dev.rgrid.spi.tck.ContainerRuntimeContract;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessRuntimeTest extends ContainerRuntimeContract {
  private static final RuntimeDefinition PYTHON = new RuntimeDefinition("python3.11",
      "rgrid/python:3.11", List.of("python3", "-u"), List.of("python3.11", "python3"), ".py");
  private static final long WAIT = DEADLINE.toSeconds();

  @Override
  protected ContainerRuntime newRuntime() {
    return new ProcessRuntime();
  }

  @Override
  protected RuntimeDefinition python() {
    return PYTHON;
  }

  /** Records both streams: bytes, a digest of stdout, and latches on first bytes and ends. */
  private static final class Recording implements OutputSink {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final MessageDigest outDigest = sha256();
    private final boolean keepStdout;
    private long outBytes;
    private long errBytes;
    final CountDownLatch firstOut = new CountDownLatch(1);
    final CountDownLatch firstErr = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(2);

    Recording(boolean keepStdout) {
      this.keepStdout = keepStdout;
    }

    @Override
    public synchronized void write(Stream stream, byte[] bytes, int offset, int length) {
      if (stream == Stream.STDOUT) {
        outDigest.update(bytes, offset, length);
        outBytes += length;
        if (keepStdout) {
          out.write(bytes, offset, length);
        }
        firstOut.countDown();
      } else {
        err.write(bytes, offset, length);
        errBytes += length;
        firstErr.countDown();
      }
    }

    @Override
    public void closed(Stream stream) {
      closed.countDown();
    }

    synchronized String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    synchronized byte[] outBytes() {
      return out.toByteArray();
    }

    synchronized String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private ContainerSpec spec(String script) throws Exception {
    return spec(script, List.of(), Map.of(), null);
  }

  private ExitResult run(ContainerSpec spec, Recording sink) throws Exception {
    try (Container c = runtime.start(spec, sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).as("script ended within the deadline").isPresent();
      return exit.get();
    }
  }

  /** Waits for a process that is not our child to be gone; kills it if the test failed. */
  private static void assertEnds(long pid) throws Exception {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    try {
      if (handle.isPresent()) {
        handle.get().onExit().get(WAIT, TimeUnit.SECONDS);
      }
      assertThat(handle.map(ProcessHandle::isAlive)).as("process %d is dead", pid)
          .isNotEqualTo(Optional.of(true));
    } finally {
      handle.ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void givesTheScriptOnlyItsOwnEnvironment() throws Exception {
    Set<String> ours = Set.of("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING", "GREETING");
    Set<String> hostOnly = new HashSet<>(System.getenv().keySet());
    hostOnly.removeAll(ours);
    assumeThat(hostOnly).as("the JVM has variables of its own to leak").isNotEmpty();

    Recording sink = new Recording(true);
    ContainerSpec spec = spec("import os, json\nprint(json.dumps(dict(os.environ)))\n",
        List.of(), Map.of("GREETING", "hi", "LANG", "en_US.UTF-8"), null);
    assertThat(run(spec, sink).exitCode()).as(sink.err()).isZero();

    Map<String, String> env = new ObjectMapper().readValue(sink.out(), new TypeReference<>() {});
    Path work = spec.workDir().toAbsolutePath();
    assertThat(env).containsOnlyKeys(ours);
    assertThat(env).doesNotContainKeys(hostOnly.toArray(String[]::new));
    assertThat(env).containsEntry("PATH", System.getenv("PATH"))
        .containsEntry("HOME", work.toString())
        .containsEntry("TMPDIR", work.resolveSibling(work.getFileName() + ".tmp").toString())
        .containsEntry("LC_ALL", "C.UTF-8")
        .containsEntry("PYTHONUNBUFFERED", "1")
        .containsEntry("PYTHONDONTWRITEBYTECODE", "1")
        .containsEntry("PYTHONIOENCODING", "utf-8")
        .containsEntry("GREETING", "hi")
        .as("the spec's variables win over the defaults").containsEntry("LANG", "en_US.UTF-8");
  }

  @Test
  void givesEachScriptAPrivateTemporaryDirectoryRemovedOnClose() throws Exception {
    Recording sink = new Recording(true);
    ContainerSpec spec = spec("import tempfile\nfd, p = tempfile.mkstemp()\nprint(p)\n");
    Path work = spec.workDir().toAbsolutePath();
    Path tmp = work.resolveSibling(work.getFileName() + ".tmp");
    Path file;
    try (Container c = runtime.start(spec, sink)) {
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
      file = Path.of(sink.out().strip());
      assertThat(file.getParent()).isEqualTo(tmp);
      assertThat(file).exists();
    }
    assertThat(tmp).doesNotExist();
    try (var left = Files.list(work)) {
      assertThat(left).as("nothing of the temporary files lands among the outputs").isEmpty();
    }
  }

  @Test
  void removesTheTemporaryDirectoryWithoutFollowingLinksPlantedInIt() throws Exception {
    Path precious = Files.createDirectories(dir.resolve("precious"));
    Files.writeString(precious.resolve("keep.txt"), "mine");
    String script = "import os, sys\ntmp = os.environ['TMPDIR']\n"
        + "os.symlink(sys.argv[1], os.path.join(tmp, 'link'))\n"
        + "locked = os.path.join(tmp, 'locked')\nos.mkdir(locked)\n"
        + "open(os.path.join(locked, 'f'), 'w').write('x')\nos.chmod(locked, 0o500)\n";
    ContainerSpec spec = spec(script, List.of(precious.toString()), Map.of(), null);
    Recording sink = new Recording(true);
    assertThat(run(spec, sink).exitCode()).as(sink.err()).isZero();
    Path work = spec.workDir().toAbsolutePath();
    assertThat(work.resolveSibling(work.getFileName() + ".tmp")).doesNotExist();
    assertThat(precious.resolve("keep.txt")).hasContent("mine");
  }

  @Test
  void deliversTenMegabytesOfOutputCompletely() throws Exception {
    // stdout and stderr are written interleaved: a runtime that drained one stream at a time
    // would leave the script blocked on the other's full pipe.
    String script = "import sys\nchunk = bytes(range(256)) * 256\n"
        + "for i in range(160):\n"
        + "    sys.stdout.buffer.write(chunk)\n"
        + "    if i % 16 == 0:\n"
        + "        sys.stderr.buffer.write(b'e' * 65536)\n"
        + "sys.stdout.flush()\n";
    MessageDigest expected = sha256();
    byte[] chunk = new byte[65536];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) i;
    }
    for (int i = 0; i < 160; i++) {
      expected.update(chunk);
    }
    Recording sink = new Recording(false);
    assertThat(run(spec(script), sink).exitCode()).isZero();
    assertThat(sink.closed.getCount()).as("both streams closed when await returned").isZero();
    synchronized (sink) {
      assertThat(sink.outBytes).isEqualTo(10L << 20);
      assertThat(HexFormat.of().formatHex(sink.outDigest.digest()))
          .isEqualTo(HexFormat.of().formatHex(expected.digest()));
      assertThat(sink.errBytes).isEqualTo(10L * 65536);
    }
  }

  @Test
  void deliversOutputStillInThePipeWhenKilledAfterTheScriptEnded() throws Exception {
    // The sink holds the reader on its first chunk until the script has exited and been "killed"
    // again, so most of the output is still unread in the pipe when kill() runs.
    CountDownLatch inSink = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    OutputSink sink = new OutputSink() {
      @Override
      public void write(Stream stream, byte[] bytes, int offset, int length) {
        if (stream == Stream.STDOUT) {
          inSink.countDown();
          try {
            assertThat(release.await(WAIT, TimeUnit.SECONDS)).isTrue();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          synchronized (got) {
            got.write(bytes, offset, length);
          }
        }
      }
    };
    String script = "import sys\nsys.stdout.buffer.write(b'x' * 30000)\n";
    try (Container c = runtime.start(spec(script), sink)) {
      assertThat(inSink.await(WAIT, TimeUnit.SECONDS)).isTrue();
      Optional<ProcessHandle> main = ProcessHandle.of(Long.parseLong(c.id()));
      if (main.isPresent()) {
        main.get().onExit().get(WAIT, TimeUnit.SECONDS);
      }
      c.kill();
      release.countDown();
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
    }
    synchronized (got) {
      assertThat(got.size()).isEqualTo(30000);
    }
  }

  @Test
  void feedsALargeStdinWhileTheScriptWritesItBack() throws Exception {
    byte[] input = new byte[4 << 20];
    new Random(11).nextBytes(input);
    String script = "import sys\nwhile True:\n    b = sys.stdin.buffer.read1(65536)\n"
        + "    if not b:\n        break\n    sys.stdout.buffer.write(b)\n";
    Recording sink = new Recording(true);
    assertThat(run(spec(script, List.of(), Map.of(), input), sink).exitCode()).isZero();
    assertThat(sink.outBytes()).isEqualTo(input);
  }

  @Test
  void closesBothStreamsWhenKilledMidOutput() throws Exception {
    String script = "import sys\nwhile True:\n    print('out' * 100)\n"
        + "    print('err' * 100, file=sys.stderr)\n";
    Recording sink = new Recording(false);
    try (Container c = runtime.start(spec(script), sink)) {
      assertThat(sink.firstOut.await(WAIT, TimeUnit.SECONDS)).isTrue();
      assertThat(sink.firstErr.await(WAIT, TimeUnit.SECONDS)).isTrue();
      c.kill();
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).map(ExitResult::exitCode).as("128 + SIGKILL").contains(137);
      assertThat(sink.closed.await(WAIT, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void killsChildrenTheScriptLeftBehindWhenItExits() throws Exception {
    String script = "import subprocess, sys\n"
        + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        + "print(child.pid)\n";
    Recording sink = new Recording(true);
    assertThat(run(spec(script), sink).exitCode()).isZero();
    assertEnds(Long.parseLong(sink.out().strip()));
  }

  @Test
  void killsAGrandchildThatMovedToAProcessGroupOfItsOwn() throws Exception {
    assumeThat(((ProcessRuntime) runtime).ownSession()).as("setsid on PATH").isTrue();
    assumeThat(Path.of("/proc")).isDirectory();
    // The grandchild keeps stdout open: await can only return once it is dead.
    String script = "import os, subprocess, sys\n"
        + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
        + " preexec_fn=lambda: os.setpgid(0, 0))\n"
        + "print(child.pid, os.getpgid(child.pid) != os.getpgid(0), flush=True)\n";
    Recording sink = new Recording(true);
    assertThat(run(spec(script), sink).exitCode()).isZero();
    String[] printed = sink.out().strip().split(" ");
    assertThat(printed).as("stdout %s, stderr %s", sink.out(), sink.err()).hasSize(2);
    assertThat(printed[1]).as("the grandchild left the script's group").isEqualTo("True");
    assertThat(sink.closed.getCount()).isZero();
    assertEnds(Long.parseLong(printed[0]));
  }

  @Test
  void withoutASessionOfItsOwnStillKillsTheLiveTree() throws Exception {
    try (ProcessRuntime plain = new ProcessRuntime(System.getenv("PATH"), false)) {
      assertThat(plain.ownSession()).isFalse();
      plain.prepare(PYTHON);
      String script = "import subprocess, sys, time\n"
          + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
          + "print(child.pid, flush=True)\ntime.sleep(120)\n";
      Recording sink = new Recording(true);
      ContainerSpec spec = spec(script);
      try (Container c = plain.start(spec, sink)) {
        assertThat(sink.firstOut.await(WAIT, TimeUnit.SECONDS)).isTrue();
        long child = Long.parseLong(sink.out().strip());
        c.kill();
        assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(137);
        assertThat(sink.closed.await(WAIT, TimeUnit.SECONDS)).isTrue();
        assertEnds(child);
      }
    }
  }

  @Test
  void answersTheSameAfterTheScriptEndedAndToleratesRepeatedKillAndClose() throws Exception {
    Recording sink = new Recording(true);
    Container c = runtime.start(spec("print('once')\n"), sink);
    Optional<ExitResult> first = c.await(ChronoUnit.FOREVER.getDuration());
    assertThat(first).map(ExitResult::exitCode).contains(0);
    c.kill();
    c.kill();
    assertThat(c.await(Duration.ZERO)).isEqualTo(first);
    c.close();
    c.close();
    assertThat(c.await(Duration.ZERO)).isEqualTo(first);
    assertThat(c.id()).matches("[0-9]+");
    assertThat(sink.out()).isEqualTo("once\n");
  }

  @Test
  void resolvesAVersionManagerShimToTheRealInterpreter() throws Exception {
    Path resolved = ((ProcessRuntime) runtime).resolvedInterpreter(PYTHON.name()).orElseThrow();
    try (InputStream in = Files.newInputStream(resolved)) {
      byte[] head = in.readNBytes(2);
      assertThat(new String(head, StandardCharsets.ISO_8859_1)).as("not a #! script such as a shim")
          .isNotEqualTo("#!");
    }
    Recording sink = new Recording(true);
    run(spec("import sys\nprint(sys.executable)\n"), sink);
    assertThat(sink.out().strip()).isEqualTo(resolved.toString());
  }

  @Test
  void triesHostInterpretersInOrder() {
    RuntimeDefinition def = new RuntimeDefinition("py-fallback", "rgrid/python:3", List.of("python3"),
        List.of("nosuch-python-7", "python3"), ".py");
    runtime.prepare(def);
    assertThat(((ProcessRuntime) runtime).resolvedInterpreter("py-fallback")).isPresent();
  }

  @Test
  void namesEveryCommandItTriedWhenNoInterpreterIsFound() {
    RuntimeDefinition def = new RuntimeDefinition("node99", "rgrid/node:99", List.of("node"),
        List.of("nosuch-node-99", "python-nosuch-99"), ".js");
    assertThatThrownBy(() -> runtime.prepare(def))
        .isInstanceOfSatisfying(RuntimeUnavailableException.class, e -> {
          assertThat(e.getMessage()).contains("node99", "nosuch-node-99", "python-nosuch-99");
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("Docker"));
        });
  }

  @Test
  void reportsAnInterpreterThatVanishedAfterPrepareAsUnavailable() throws Exception {
    Path fake = dir.resolve("fake-interpreter");
    Files.writeString(fake, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    RuntimeDefinition def = new RuntimeDefinition("fake", "rgrid/fake:1", List.of("fake"),
        List.of(fake.toString()), ".sh");
    runtime.prepare(def);
    assertThat(((ProcessRuntime) runtime).resolvedInterpreter("fake")).contains(fake);
    Files.delete(fake);
    ContainerSpec python = spec("print('never')\n");
    ContainerSpec spec = new ContainerSpec(python.name(), def, python.scriptDir(),
        python.scriptName(), python.workDir(), List.of(), Map.of(), null, Map.of(), null);
    assertThatThrownBy(() -> runtime.start(spec, new Recording(true)))
        .isInstanceOfSatisfying(RuntimeUnavailableException.class, e -> {
          assertThat(e.getMessage()).contains("fake");
          assertThat(e.hint()).isPresent();
        });
  }

  @Test
  void seesHostDirectoriesWhereTheyAre() {
    var paths = runtime.paths(dir.resolve("w"), dir.resolve("s"), "main.py");
    assertThat(paths.workDir()).isEqualTo(dir.resolve("w").toAbsolutePath().toString());
    assertThat(paths.script()).isEqualTo(dir.resolve("s/main.py").toAbsolutePath().toString());
    assertThatThrownBy(() -> runtime.paths(dir, dir, "../escape.py"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(runtime.capabilities().isolates()).isFalse();
    assertThat(runtime.capabilities().enforcesLimits()).isFalse();
    assertThat(runtime.capabilities().localMounts()).isTrue();
    assertThat(runtime.name()).isEqualTo("process");
  }
}
