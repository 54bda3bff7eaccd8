package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm runtime through the whole embedded engine, chosen by name as {@code --engine swarm}
 * does (found through {@link java.util.ServiceLoader}): a run with an input file and nested
 * outputs, one whose script fails, one past its memory limit, one cancelled and one past its
 * timeout (the service removed), the cancelled one placed by its constraint with its CPU and
 * memory reserved, and one whose container is removed from under it (retried).
 */
class SwarmRGridTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir static Path home;
  @TempDir static Path src;
  private static RGrid rgrid;

  @BeforeAll
  static void open() {
    SwarmTests.aSwarm();
    rgrid = RGrid.builder().home(home).engine("swarm").build();
  }

  @AfterAll
  static void close() {
    if (rgrid != null) {
      rgrid.close();
    }
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
  }

  @Test
  void runsAScriptWithAnInputAndNestedOutputs() throws Exception {
    Path script = Files.writeString(src.resolve("count.py"), String.join("\n",
        "import os, sys",
        "n = len(open(sys.argv[1]).read().split())",
        "os.makedirs('out/nested', exist_ok=True)",
        "open('out/nested/count.txt', 'w').write(str(n))",
        "print('words:', n)",
        ""));
    Path input = Files.writeString(src.resolve("words.txt"), "one two three");
    Execution e = rgrid.run(RunSpec.builder(script).args(input.toString()).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).as("%s %s", done.failure(), e.logs())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.logs()).extracting(l -> l.text()).contains("words: 3");
    Path out = Files.createDirectories(src.resolve("out"));
    e.downloadOutputs(out);
    try (var files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()))
          .containsExactly("out/nested/count.txt");
    }
    assertThat(out.resolve("out/nested/count.txt")).hasContent("3");
  }

  @Test
  void aFailingScriptFailsItsRunWithItsExitCodeAndOnePastItsMemoryOutOfMemory() throws Exception {
    Path script = Files.writeString(src.resolve("fail.py"),
        "import sys\nprint('bad input', file=sys.stderr)\nsys.exit(4)\n");
    Path hog = Files.writeString(src.resolve("hog.py"),
        "hog = []\nwhile True:\n    hog.append(bytearray(8 << 20))\n");
    Execution e = rgrid.run(RunSpec.builder(script).build());
    Execution oom = rgrid.run(RunSpec.builder(hog).resources(new Resources(0, 64L << 20))
        .build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.exitCode()).isEqualTo(4);
    assertThat(e.logs()).extracting(l -> l.text()).contains("bad input");
    ExecutionRecord killed = oom.await(DEADLINE).orElseThrow();
    assertThat(killed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(killed.failure().kind()).isEqualTo(FailureKind.OUT_OF_MEMORY);
  }

  @Test
  void aRunWhoseContainerIsRemovedFromUnderItIsRetriedAsATransientFailure() throws Exception {
    Path script = Files.writeString(src.resolve("short.py"),
        "import time\ntime.sleep(1)\nprint('done')\n");
    Execution e = rgrid.run(RunSpec.builder(script)
        .retry(RetryPolicy.defaults().withMaxRetries(5).withInitialDelay(Duration.ofMillis(100)))
        .build());
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      // The first attempt's container, removed as soon as it is there (as a lost node's are).
      DockerTests.within(DEADLINE, () -> {
        var services = engine.control().listServicesCmd()
            .withLabelFilter(Map.of(Leftovers.EXECUTION, e.id().value())).exec();
        var containers = services.isEmpty() ? List.<com.github.dockerjava.api.model.Container>of()
            : engine.control().listContainersCmd().withLabelFilter(Map.of(
                "com.docker.swarm.service.id", services.get(0).getId())).exec();
        containers.forEach(c -> engine.control().removeContainerCmd(c.getId()).withForce(true)
            .exec());
        return !containers.isEmpty();
      });
    }
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).as("%s %s", done.failure(), e.logs())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    // At least 2: on a loaded engine the swarm may also refuse a later task at once ("assigned
    // node no longer meets constraints" while the run's new network settles), itself a
    // transient failure retried in turn; what this test is about is attempt 1's kind.
    assertThat(done.attempt()).isGreaterThanOrEqualTo(2);
    assertThat(e.logs()).extracting(l -> l.text()).anySatisfy(line -> assertThat(line)
        .contains("attempt 1 failed (backend-unavailable", "removed before its exit was recorded"));
  }

  @Test
  void aCancelledRunEndsCancelledAndATooLongOneTimedOut() throws Exception {
    Path script = Files.writeString(src.resolve("slow.py"),
        "import time\nprint('up', flush=True)\ntime.sleep(600)\n");
    Execution cancelled = rgrid.run(RunSpec.builder(script).resources(new Resources(250,
        64L << 20, List.of("node.role==manager"))).build());
    Execution timed = rgrid.run(RunSpec.builder(script).timeout(Duration.ofSeconds(3)).build());
    DockerTests.within(DEADLINE, () -> cancelled.logs().stream()
        .anyMatch(l -> l.text().contains("up")));
    // The run's resources reached its service: what the swarm's scheduler placed it by.
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      var services = engine.control().listServicesCmd()
          .withLabelFilter(Map.of(Leftovers.EXECUTION, cancelled.id().value())).exec();
      assertThat(services).hasSize(1);
      var task = services.get(0).getSpec().getTaskTemplate();
      assertThat(task.getPlacement().getConstraints()).containsExactly("node.role==manager");
      assertThat(task.getResources().getReservations().getNanoCPUs()).isEqualTo(250_000_000L);
      assertThat(task.getResources().getReservations().getMemoryBytes()).isEqualTo(64L << 20);
    }
    assertThat(cancelled.cancel()).isTrue();
    assertThat(cancelled.await(DEADLINE).orElseThrow().status())
        .isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(timed.await(DEADLINE).orElseThrow().status())
        .isEqualTo(ExecutionStatus.TIMED_OUT);
  }
}
