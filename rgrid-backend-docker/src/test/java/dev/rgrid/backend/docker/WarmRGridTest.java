package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm containers through the whole engine: runs served by them behave as fresh ones. */
class WarmRGridTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path home;
  @TempDir Path src;
  private DockerRuntime runtime;
  private RGrid rgrid;

  @BeforeEach
  void open() {
    runtime = new DockerRuntime(DockerTests.settings().withWarmContainers(1));
    rgrid = RGrid.builder().home(home).runtime(runtime).build();
  }

  @AfterEach
  void close() throws Exception {
    rgrid.close();
    runtime.close();
    // Workspaces and warm slots handed to the container's user stay private to their owner.
    try (java.util.stream.Stream<Path> all = Files.walk(home)) {
      assertThat(all.filter(p -> !Files.isSymbolicLink(p)).map(p -> {
        try {
          return home.relativize(p) + " " + java.nio.file.attribute.PosixFilePermissions
              .toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      })).as("entries of the state directory open to group or others")
          .noneMatch(entry -> !entry.endsWith("------"));
    }
  }

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }

  @Test
  void successiveRunsAreServedWarmWithTheirInputsAndOutputs() throws Exception {
    Path script = Files.writeString(src.resolve("count.py"), String.join("\n",
        "import sys",
        "n = len(open(sys.argv[1]).read().split())",
        "open('count.txt', 'w').write(str(n))",
        "print('words:', n)",
        ""));
    for (int i = 1; i <= 4; i++) {
      Path input = Files.writeString(src.resolve("in" + i + ".txt"), "w ".repeat(i));
      // After the first run, wait for the pool to refill, so each later run is served warm.
      if (i > 1) {
        DockerTests.within(DEADLINE, () -> runtime.warmContainers(DockerTests.python()) >= 1);
      }
      Execution e = rgrid.run(RunSpec.builder(script).args(input.toString()).build());
      ExecutionRecord done = e.await(DEADLINE).orElseThrow();
      assertThat(done.status()).as("%s %s", done.failure(), e.logs())
          .isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(e.logs()).extracting(l -> l.text()).contains("words: " + i);
      Path out = Files.createDirectories(src.resolve("out" + i));
      e.downloadOutputs(out);
      assertThat(out.resolve("count.txt")).hasContent(Integer.toString(i));
    }
    assertThat(runtime.warmStarts()).isEqualTo(3);
  }

  @Test
  void aWarmRunTimesOutAndACancelledOneIsCancelled() throws Exception {
    Path warmUp = Files.writeString(src.resolve("ok.py"), "pass\n");
    assertThat(rgrid.run(RunSpec.builder(warmUp).build()).await(DEADLINE).orElseThrow().status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    DockerTests.within(DEADLINE, () -> runtime.warmContainers(DockerTests.python()) >= 1);
    Path spin = Files.writeString(src.resolve("spin.py"), "while True:\n    pass\n");
    ExecutionRecord timedOut = rgrid.run(RunSpec.builder(spin).timeout(Duration.ofSeconds(2))
        .build()).await(DEADLINE).orElseThrow();
    assertThat(timedOut.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    assertThat(timedOut.failure().kind()).isEqualTo(FailureKind.TIMEOUT);

    DockerTests.within(DEADLINE, () -> runtime.warmContainers(DockerTests.python()) >= 1);
    Path sleep = Files.writeString(src.resolve("sleep.py"),
        "import time\nprint('asleep', flush=True)\ntime.sleep(600)\n");
    Execution e = rgrid.run(RunSpec.builder(sleep).build());
    DockerTests.within(DEADLINE, () -> !e.logs().isEmpty());
    assertThat(e.cancel()).isTrue();
    assertThat(e.await(DEADLINE).orElseThrow().status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(runtime.warmStarts()).isEqualTo(2);
  }
}
