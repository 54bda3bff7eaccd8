package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm runtime under the embedded engine's batch, seen from the engine's side by a {@link
 * SwarmWatch} for the whole class (one runtime, one RGrid with more workers than the batch may
 * use): a batch of 20 with {@code --parallel 4} never has more than 4 services or live tasks at
 * once and brings every output back; a run with an input, nested outputs and an environment
 * variable is inspected while it runs; then every service, task and task container the runs made
 * is checked for host mounts (none: only the in-memory {@code /work}, {@code /rgrid} and {@code
 * /tmp}), and at the end nothing of them is left on the engine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwarmBatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(300);
  private static final int INPUTS = 20;
  private static final int PARALLEL = 4;
  /** What the design mounts in a task: in-memory file systems only. */
  private static final Set<String> TMPFS_TARGETS = Set.of("/work", "/rgrid", "/tmp");
  /** An environment value that must reach the script through its stage only. */
  private static final String KEPT_OFF = "kept-off-the-swarm-records";

  @TempDir static Path home;
  @TempDir static Path src;
  private static SwarmRuntime runtime;
  private static RGrid rgrid;
  private static SwarmWatch watch;
  private static final List<String> executions = new ArrayList<>();

  @BeforeAll
  static void open() {
    SwarmTests.aSwarm();
    runtime = new SwarmRuntime(DockerTests.settings(), SwarmRuntime.DEFAULT_STAGING_LIMIT);
    watch = SwarmWatch.start(DockerTests.settings());
    // More workers than the batch may use: the batch's own limit is what is tested.
    rgrid = RGrid.builder().home(home).runtime(runtime).workers(PARALLEL + 2).build();
  }

  @AfterAll
  static void close() {
    if (runtime == null) {
      return;
    }
    try {
      if (rgrid != null) {
        rgrid.close();
      }
      runtime.close();
      assertNothingLeft();
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  @Test
  @Order(1)
  void aBatchOf20WithParallel4NeverHasMoreThan4TasksAtOnceAndBringsEveryOutputBack()
      throws Exception {
    Files.createDirectories(src.resolve("in"));
    for (int i = 1; i <= INPUTS; i++) {
      Files.writeString(src.resolve("in/f" + i + ".txt"), "input " + i + "\n");
    }
    Path script = Files.writeString(src.resolve("echo.py"), String.join("\n",
        "import sys",
        "text = open(sys.argv[1]).read().strip()",
        "open('echo.txt', 'w').write(text.upper())",
        "print(text)",
        ""));
    // The defaults: limits, no reservation, so the batch's --parallel alone says how many go at
    // once. On a swarm that ran many jobs before (this machine's does), reservations would be
    // refused by the engine's own accounting (see noServiceReservesWhatItsRunDidNotAskFor).
    RunSpec each = RunSpec.builder(script).baseDirectory(src).build();
    Batch batch = rgrid.batch(BatchSpec.builder(each).glob("in/*.txt").parallel(PARALLEL)
        .build());
    BatchProgress done = batch.await(DEADLINE).orElseThrow();
    assertThat(done.succeeded()).as("%s", done).isEqualTo(INPUTS);

    assertThat(watch.mostServices()).as("services at once").isBetween(2, PARALLEL);
    assertThat(watch.mostLiveTasks()).as("tasks not ended at once").isBetween(2, PARALLEL);
    Path out = Files.createDirectories(src.resolve("outputs"));
    batch.downloadOutputs(out, false);
    for (BatchItem item : batch.items()) {
      executions.add(item.executionId().value());
      String text = Files.readString(item.input()).strip();
      assertThat(out.resolve(item.folder()).resolve("echo.txt")).hasContent(text.toUpperCase());
      assertThat(rgrid.execution(item.executionId()).logs()).filteredOn(l -> l.stream()
          == LogStream.STDOUT).extracting(LogLine::text).containsExactly(text);
    }
    assertThat(executions).doesNotHaveDuplicates().hasSize(INPUTS);
  }

  @Test
  @Order(2)
  void aRunWithAnInputAndNestedOutputsHasNoHostMountWhileItRuns() throws Exception {
    Path script = Files.writeString(src.resolve("nest.py"), String.join("\n",
        "import os, sys",
        "words = open(sys.argv[1]).read().split()",
        "os.makedirs('out/a/b', exist_ok=True)",
        "open('out/a/b/count.txt', 'w').write(str(len(words)))",
        "open('out/a/env.txt', 'w').write(os.environ['RGRID_TEST_VALUE'])",
        "print('ready', flush=True)",
        "sys.stdin.read()",
        ""));
    Path input = Files.writeString(src.resolve("words.txt"), "one two three");
    PipedOutputStream hold = new PipedOutputStream();
    Execution e = rgrid.run(RunSpec.builder(script).args(input.toString())
        .env("RGRID_TEST_VALUE", KEPT_OFF).stdin(new PipedInputStream(hold)).build());
    within(DEADLINE, () -> e.logs().stream().anyMatch(l -> l.text().equals("ready")));
    executions.add(e.id().value());
    // While it runs: its one service, its one task, and that task's container on this node.
    JsonNode service = watch.get("/services?filters=" + java.net.URLEncoder.encode(
        "{\"label\":[\"" + Leftovers.EXECUTION + "=" + e.id().value() + "\"]}",
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(service).hasSize(1);
    JsonNode tasks = watch.get("/tasks?filters=" + java.net.URLEncoder.encode(
        "{\"service\":[\"" + service.get(0).path("ID").asText() + "\"]}",
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(tasks).hasSize(1);
    JsonNode container = watch.get("/containers/" + tasks.get(0).path("Status")
        .path("ContainerStatus").path("ContainerID").asText() + "/json");
    assertThat(container).as("the running task's container").isNotNull();
    assertOnlyTmpfs("service", service.get(0).path("Spec"));
    assertContainerMountsNothingOfTheHost(container);
    hold.close();
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).as("%s %s", done.failure(), e.logs())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    Path out = Files.createDirectories(src.resolve("nested"));
    e.downloadOutputs(out);
    assertThat(out.resolve("out/a/b/count.txt")).hasContent("3");
    assertThat(out.resolve("out/a/env.txt")).hasContent(KEPT_OFF);
  }

  @Test
  @Order(3)
  void noServiceTaskOrContainerOfTheRunsMountedAHostDirectory() {
    // Every run was seen by the watch: a service of each (more than one if it was retried).
    Set<String> seen = watch.serviceSpecs.values().stream()
        .map(s -> s.path("Labels").path(Leftovers.EXECUTION).asText())
        .collect(Collectors.toSet());
    assertThat(seen).containsExactlyInAnyOrderElementsOf(executions);
    assertThat(watch.taskSpecs).hasSizeGreaterThanOrEqualTo(executions.size());
    watch.serviceSpecs.forEach((id, spec) -> {
      assertOnlyTmpfs("service " + id, spec);
      // The labels by which its run is found and its leftovers reaped.
      assertThat(labels(spec.path("Labels"))).as("labels of service %s", id)
          .containsEntry(Owner.MANAGED, "true")
          .containsEntry(Owner.OWNER, Owner.current().label())
          .containsEntry(Owner.HOST, Owner.current().host())
          .containsKeys(Leftovers.EXECUTION, "dev.rgrid.worker");
      // The script's environment is fetched from its stage, never written into the swarm.
      assertThat(spec.toString()).as("service %s", id).doesNotContain(KEPT_OFF);
    });
    watch.taskSpecs.forEach((id, spec) -> assertOnlyTmpfs("task " + id, spec));
    assertThat(watch.containers).as("task containers seen").isNotEmpty();
    watch.containers.values().forEach(SwarmBatchTest::assertContainerMountsNothingOfTheHost);
    // The relay: no mount at all.
    JsonNode relay = watch.get("/containers/" + runtime.relayId() + "/json");
    assertThat(relay.path("HostConfig").path("Binds").isEmpty()).as("relay binds").isTrue();
    assertThat(relay.path("HostConfig").path("Mounts").isEmpty()).as("relay mounts").isTrue();
    assertThat(relay.path("Mounts").isEmpty()).as("relay mount points").isTrue();
  }

  @Test
  @Order(4)
  void noServiceReservesWhatItsRunDidNotAskFor() {
    // Up to the fix of moby/moby#52652, Engine 20.10's constraint enforcer counts the ended tasks
    // of job services, which outlive their removed services in the swarm's store, against their
    // node's reservations, and rejects tasks with any reservation object once they add up: the
    // batch above failed that way ("assigned node no longer meets constraints") while its runs
    // reserved the defaults. They reserve nothing now, not even an empty object.
    assertThat(watch.serviceSpecs).isNotEmpty();
    watch.serviceSpecs.forEach((id, spec) -> {
      JsonNode resources = spec.path("TaskTemplate").path("Resources");
      assertThat(resources.path("Limits").path("NanoCPUs").asLong()).as("CPU limit of %s", id)
          .isEqualTo(DockerTests.settings().milliCpus() * 1_000_000L);
      assertThat(resources.has("Reservations")).as("reservations of %s: %s", id, resources)
          .isFalse();
    });
  }

  /** {@code spec} (a service's or a task's) mounts the design's tmpfs and nothing else. */
  private static void assertOnlyTmpfs(String what, JsonNode spec) {
    JsonNode template = spec.has("TaskTemplate") ? spec.path("TaskTemplate") : spec;
    JsonNode mounts = template.path("ContainerSpec").path("Mounts");
    assertThat(mounts).as("mounts of %s", what).hasSize(TMPFS_TARGETS.size());
    for (JsonNode m : mounts) {
      assertThat(m.path("Type").asText()).as("%s mount %s", what, m).isEqualTo("tmpfs");
      assertThat(m.has("Source")).as("%s mount %s has a source", what, m).isFalse();
    }
    assertThat(mounts).extracting(m -> m.path("Target").asText())
        .containsExactlyInAnyOrderElementsOf(TMPFS_TARGETS);
  }

  /** A task's container: no bind, no volume; its mount points are the tmpfs alone. */
  private static void assertContainerMountsNothingOfTheHost(JsonNode container) {
    String id = container.path("Id").asText();
    assertThat(container.path("HostConfig").path("Binds").isEmpty()).as("binds of %s", id)
        .isTrue();
    assertThat(container.path("Mounts")).as("mount points of %s", id)
        .allSatisfy(m -> assertThat(m.path("Type").asText()).isEqualTo("tmpfs"))
        .extracting(m -> m.path("Destination").asText())
        .containsExactlyInAnyOrderElementsOf(TMPFS_TARGETS);
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new java.util.HashMap<>();
    node.properties().forEach(f -> labels.put(f.getKey(), f.getValue().asText()));
    return labels;
  }

  /**
   * Nothing of this JVM on the engine (containers, services, overlay networks, by its labels),
   * and none of what the watch saw: no service, no container of those services, no network of
   * their runs.
   */
  private static void assertNothingLeft() {
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
    for (Map.Entry<String, JsonNode> s : watch.serviceSpecs.entrySet()) {
      assertThat(watch.get("/services/" + s.getKey())).as("service %s", s.getKey()).isNull();
      assertThat(SwarmTests.containersOfService(s.getKey())).as("containers of %s", s.getKey())
          .isEmpty();
      for (JsonNode n : s.getValue().path("TaskTemplate").path("Networks")) {
        String network = n.path("Target").asText();
        assertThat(watch.get("/networks/" + network)).as("network %s", network).isNull();
      }
    }
  }
}
