package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hostile-script suite on the Docker runtime, every case, and two of its own: a container
 * removed by hand is retried, and every container carries its execution's labels.
 */
class HostileScriptsTest extends HostileScriptsContract {
  @Override
  protected ContainerRuntime newRuntime() {
    return new DockerRuntime(DockerTests.settings());
  }

  /** No container of this execution is left on the engine. */
  @Override
  protected void assertNothingLeftFor(ExecutionRecord done) {
    within(Duration.ofSeconds(30), () -> DockerTests.containersOfThisJvm().stream()
        .noneMatch(c -> done.id().value().equals(c.getLabels().get("dev.rgrid.execution"))));
  }

  @Override
  protected void assertNothingLeft() {
    DockerTests.assertNoContainersOfThisJvm();
  }

  @Test
  void aContainerRemovedByHandWhileItRunsIsRetriedAsBackendUnavailableNotAScriptExit()
      throws Exception {
    Path s = script("wait.py", "import time\nprint('up', flush=True)\ntime.sleep(600)\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    within(Duration.ofSeconds(60), () -> !e.logs().isEmpty());
    String first = containerOf(e);
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      engine.control().removeContainerCmd(first).withForce(true).exec(); // as `docker rm -f`
    }
    within(Duration.ofSeconds(60), () -> e.logs().stream().filter(l -> l.text().equals("up"))
        .count() == 2);
    ExecutionRecord second = e.record();
    assertThat(second.status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(e.logs()).extracting(LogLine::text).anySatisfy(t -> assertThat(t)
        .startsWith("[rgrid] attempt 1 failed (backend-unavailable: container ")
        .contains("was removed"));
    assertThat(containerOf(e)).isNotEqualTo(first);
    e.cancel();
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(done.transitions()).extracting(t -> t.status()).containsExactly(
        ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.QUEUED,
        ExecutionStatus.RUNNING, ExecutionStatus.CANCELLED);
    assertNothingLeftFor(done);
  }

  /** The id of the one container of {@code e} on the engine. */
  private static String containerOf(Execution e) {
    List<String> ids = DockerTests.containersOfThisJvm().stream()
        .filter(c -> e.id().value().equals(c.getLabels().get("dev.rgrid.execution")))
        .map(c -> c.getId()).toList();
    assertThat(ids).as("containers of %s", e.id()).hasSize(1);
    return ids.get(0);
  }

  @Test
  void everyContainerCarriesTheExecutionsLabelsAndThisJvmsOwnership() throws Exception {
    Path s = script("labels.py", "import time\nprint('up', flush=True)\ntime.sleep(600)\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    within(Duration.ofSeconds(60), () -> !e.logs().isEmpty());
    List<Map<String, String>> labels = DockerTests.containersOfThisJvm().stream()
        .map(c -> c.getLabels())
        .filter(l -> e.id().value().equals(l.get("dev.rgrid.execution"))).toList();
    assertThat(labels).singleElement().satisfies(l -> assertThat(l)
        .containsEntry(Owner.MANAGED, "true")
        .containsEntry(Owner.OWNER, Owner.current().label())
        .containsEntry(Owner.HOST, Owner.current().host())
        .containsKey("dev.rgrid.worker"));
    e.cancel();
    assertNothingLeftFor(e.await(DEADLINE).orElseThrow());
  }
}
