package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
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
 * Where the swarm puts a run and how a run that cannot be put anywhere, or loses its task, ends,
 * on a one-node swarm of this machine's engine (one runtime for the class, with a pending limit
 * of 2 s): reservations and constraints in the service, a constraint no node meets, a
 * reservation no node has, an image missing on the node, a container removed from under its task.
 */
class SwarmPlacementTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SwarmRuntime runtime;
  private static Engine engine;
  private static int counter;

  @TempDir
  static Path dir;

  @BeforeAll
  static void aSwarmAndARuntime() {
    SwarmTests.aSwarm();
    runtime = new SwarmRuntime(DockerTests.settings(), 1 << 20, Duration.ofSeconds(2));
    runtime.prepare(DockerTests.python());
    engine = Engine.connect(DockerTests.settings());
  }

  @AfterAll
  static void leavesNothingBehind() {
    if (runtime == null) {
      return;
    }
    runtime.close();
    engine.close();
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
  }

  private static ContainerSpec spec(RuntimeDefinition def, String script, Limits limits)
      throws Exception {
    counter++;
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + counter));
    Path work = Files.createDirectories(dir.resolve("work-" + counter));
    Files.writeString(scriptDir.resolve("main.py"), script);
    return new ContainerSpec("swarm-place-" + counter, def, scriptDir, "main.py", work,
        List.of(), Map.of(), limits, Map.of(Leftovers.EXECUTION, "swarm-place-" + counter), null);
  }

  private static ContainerSpec spec(String script, Limits limits) throws Exception {
    return spec(DockerTests.python(), script, limits);
  }

  @Test
  void aRunIsPlacedByItsConstraintsWithItsCpuAndMemoryReserved() throws Exception {
    Limits limits = new Limits(500, 96L << 20, 0, false,
        List.of("node.role==manager", "node.labels.rgrid-test-absent!=true"));
    try (Container c = runtime.start(spec("print('placed')\n", limits), new Captured())) {
      JsonNode task = JSON.valueToTree(engine.control().inspectServiceCmd(c.id()).exec()
          .getSpec().getTaskTemplate());
      assertThat(task.at("/Placement/Constraints")).extracting(JsonNode::asText)
          .containsExactly("node.role==manager", "node.labels.rgrid-test-absent!=true");
      assertThat(task.at("/Resources/Reservations/NanoCPUs").asLong()).isEqualTo(500_000_000L);
      assertThat(task.at("/Resources/Reservations/MemoryBytes").asLong()).isEqualTo(96L << 20);
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
    }
  }

  @Test
  void aConstraintNoNodeMeetsFailsTheRunOnceThePendingLimitHasPassed() throws Exception {
    Limits limits = new Limits(0, 0, 0, false, List.of("node.labels.rgrid-test-gpu==true"));
    try (Container c = runtime.start(spec("print('never')\n", limits), new Captured())) {
      assertThatThrownBy(() -> c.await(DEADLINE))
          .isInstanceOf(dev.rgrid.spi.runtime.ContainerStartException.class)
          .hasMessageContaining("no node satisfies the placement constraints "
              + "[node.labels.rgrid-test-gpu==true]")
          .hasMessageContaining("scheduling constraints not satisfied")
          .satisfies(e -> assertThat(((dev.rgrid.spi.runtime.ContainerStartException) e)
              .refusedSettings()).as("not retried").isTrue());
    }
  }

  @Test
  void aReservationNoNodeHasIsRefusedBeforeAnythingIsMade() throws Exception {
    for (Limits limits : List.of(new Limits(4_096_000, 0, 0, false),
        new Limits(0, 1L << 50, 0, false))) {
      ContainerSpec spec = spec("print('never')\n", limits);
      assertThatThrownBy(() -> runtime.start(spec, new Captured()))
          .isInstanceOf(dev.rgrid.spi.runtime.ContainerStartException.class)
          .hasMessageContaining("no node of the swarm can reserve")
          .hasMessageContaining("the largest ready node has")
          .satisfies(e -> assertThat(((dev.rgrid.spi.runtime.ContainerStartException) e)
              .refusedSettings()).isTrue());
      assertThat(SwarmTests.swarmThingsOfThisJvm()).noneMatch(t -> t.contains(spec.name()));
    }
  }

  @Test
  void anImageMissingOnTheNodeIsAStartFailureNamingIt() throws Exception {
    // Never prepared, so never pulled; the node's engine looks for it on loopback only.
    RuntimeDefinition missing = new RuntimeDefinition("python3.11",
        "127.0.0.1:9/rgrid-test/missing:none", List.of("python3"), List.of(), ".py");
    try (Container c = runtime.start(spec(missing, "print('never')\n", Limits.DEFAULT),
        new Captured())) {
      assertThatThrownBy(() -> c.await(DEADLINE))
          .isInstanceOf(dev.rgrid.spi.runtime.ContainerStartException.class)
          .hasMessageContaining("the image 127.0.0.1:9/rgrid-test/missing:none is not on node")
          .satisfies(e -> assertThat(((dev.rgrid.spi.runtime.ContainerStartException) e)
              .refusedSettings()).as("another node may have it: retried").isFalse());
    }
  }

  @Test
  void aContainerRemovedFromUnderItsTaskLosesTheRunTransiently() throws Exception {
    Captured sink = new Captured();
    try (Container c = runtime.start(spec("import time\nprint('up', flush=True)\n"
        + "time.sleep(600)\n", Limits.DEFAULT), sink)) {
      within(DEADLINE, () -> sink.out().contains("up"));
      List<com.github.dockerjava.api.model.Container> tasks = engine.control()
          .listContainersCmd().withLabelFilter(Map.of("com.docker.swarm.service.id", c.id()))
          .exec();
      assertThat(tasks).hasSize(1);
      engine.control().removeContainerCmd(tasks.get(0).getId()).withForce(true).exec();
      assertThatThrownBy(() -> c.await(DEADLINE))
          .isInstanceOf(BackendUnavailableException.class)
          .isNotInstanceOf(dev.rgrid.spi.runtime.ContainerStartException.class)
          .hasMessageContaining("was removed before its exit was recorded");
    }
  }
}
