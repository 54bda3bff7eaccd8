package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.docker.internal.DockerContainer;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm containers: used when they can serve a run exactly as a fresh one would, else not. */
class WarmPoolTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;
  private DockerRuntime runtime;
  private int counter;

  @BeforeEach
  void primedRuntime() throws Exception {
    runtime = new DockerRuntime(DockerTests.settings().withWarmContainers(1));
    WarmDockerRuntimeTest.prime(runtime, dir);
  }

  @AfterEach
  void close() {
    runtime.close();
  }

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }

  @Test
  void servesARunWithItsFilesArgumentsEnvironmentAndStdin() throws Exception {
    String script = String.join("\n",
        "import json, os, sys",
        "data = open('in.txt').read()",
        "open('out/result.txt', 'w').write(data.upper())",
        "print(json.dumps({'args': sys.argv[1:], 'env': os.environ.get('GREETING'),",
        "    'stdin': sys.stdin.read(), 'cwd': os.getcwd(), 'home': os.environ['HOME']}))",
        "");
    List<String> args = List.of("plain", "two words", "$(id)", "`id`", "'q'\"", "\\n", "",
        "ünï", "--flag=x;rm -rf /");
    Run run = run(script, args, Map.of("GREETING", "a=b $HOME `x`"), Limits.DEFAULT,
        "from stdin\nsecond line".getBytes(StandardCharsets.UTF_8));
    assertThat(run.warm).as("served by a warm container").isTrue();
    assertThat(run.exit.exitCode()).as(run.sink.err()).isZero();
    assertThat(run.sink.out()).contains("\"args\": [\"plain\", \"two words\", \"$(id)\", "
        + "\"`id`\", \"'q'\\\"\", \"\\\\n\", \"\", \"\\u00fcn\\u00ef\", \"--flag=x;rm -rf /\"]")
        .contains("\"env\": \"a=b $HOME `x`\"")
        .contains("\"stdin\": \"from stdin\\nsecond line\"")
        .contains("\"cwd\": \"/work\"").contains("\"home\": \"/work\"");
    // The run's files are back where the run keeps them, and the slot is gone.
    assertThat(run.workDir.resolve("out/result.txt")).hasContent("HELLO");
    assertThat(run.workDir.resolve("in.txt")).hasContent("hello");
    assertThat(run.scriptDir.resolve("main.py")).exists();
  }

  @Test
  void runsThatAWarmContainerCannotServeStartTheirOwn() throws Exception {
    Run network = run("print('x')\n", List.of(), Map.of(), new Limits(0, 0, 0, true), null);
    assertThat(network.warm).isFalse();
    Run memory = run("print('x')\n", List.of(), Map.of(), new Limits(0, 64L << 20, 0, false),
        null);
    assertThat(memory.warm).isFalse();
    Run newline = run("import sys\nprint(repr(sys.argv[1]))\n", List.of("a\nb"), Map.of(),
        Limits.DEFAULT, null);
    assertThat(newline.warm).isFalse();
    assertThat(newline.sink.out()).isEqualTo("'a\\nb'\n");
    assertThat(Stream.of(network, memory).map(r -> r.sink.out())).containsOnly("x\n");
  }

  @Test
  void aKilledWarmRunEndsAndHandsItsFilesBack() throws Exception {
    ContainerSpec spec = spec("import time\nopen('partial.txt','w').write('p')\n"
        + "print('started', flush=True)\ntime.sleep(600)\n", List.of(), Map.of(),
        Limits.DEFAULT, null);
    Captured sink = new Captured();
    try (Container c = runtime.start(spec, sink)) {
      assertThat(((DockerContainer) c).name()).startsWith("rgrid-warm-");
      assertThat(sink.firstOut.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      c.kill();
      ExitResult exit = c.await(DEADLINE).orElseThrow();
      assertThat(exit.exitCode()).isEqualTo(137);
    }
    assertThat(spec.workDir().resolve("partial.txt")).hasContent("p");
  }

  @Test
  void aMemoryHogInAWarmContainerIsReportedAsOutOfMemory() throws Exception {
    DockerRuntime small = new DockerRuntime(DockerTests.settings().withWarmContainers(1)
        .withResources(64L << 20, 1000));
    runtime.close();
    runtime = small;
    try (small) {
      WarmDockerRuntimeTest.prime(small, Files.createDirectories(dir.resolve("small")));
      Run run = run("x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n", List.of(),
          Map.of(), Limits.DEFAULT, null);
      assertThat(run.warm).isTrue();
      assertThat(run.exit.oomKilled()).isTrue();
    }
  }

  @Test
  void closingRemovesTheWaitingContainersAndTheirSlots() throws Exception {
    assertThat(runtime.warmContainers(DockerTests.python())).isEqualTo(1);
    runtime.close();
    DockerTests.assertNoContainersOfThisJvm();
    // The pool kept its slots beside the run directories (the primed run's parent's parent).
    Path slots = dir.getParent().resolve(".docker-warm");
    assertThat(slots).isDirectory();
    try (Stream<Path> mine = Files.list(slots)) {
      assertThat(mine.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(ProcessHandle.current().pid() + "-"));
    }
  }

  private record Run(ExitResult exit, Captured sink, boolean warm, Path workDir,
      Path scriptDir) {}

  private Run run(String script, List<String> args, Map<String, String> env, Limits limits,
      byte[] stdin) throws Exception {
    ContainerSpec spec = spec(script, args, env, limits, stdin);
    Captured sink = new Captured();
    boolean warm;
    ExitResult exit;
    DockerTests.within(DEADLINE, () -> runtime.warmContainers(DockerTests.python()) >= 1);
    try (Container c = runtime.start(spec, sink)) {
      warm = ((DockerContainer) c).name().startsWith("rgrid-warm-");
      exit = c.await(DEADLINE).orElseThrow();
    }
    return new Run(exit, sink, warm, spec.workDir(), spec.scriptDir());
  }

  private ContainerSpec spec(String script, List<String> args, Map<String, String> env,
      Limits limits, byte[] stdin) throws Exception {
    counter++;
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + counter));
    Path workDir = Files.createDirectories(dir.resolve("work-" + counter));
    Files.writeString(scriptDir.resolve("main.py"), script);
    Files.writeString(workDir.resolve("in.txt"), "hello");
    Files.createDirectories(workDir.resolve("out"));
    return new ContainerSpec("pool-test-" + counter, DockerTests.python(), scriptDir, "main.py",
        workDir, args, env, limits, Map.of("dev.rgrid.test", "warm"),
        stdin == null ? null : new ByteArrayInputStream(stdin));
  }
}
