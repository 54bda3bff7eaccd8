package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the Docker tests share: the settings, the Python runtime and the leftover check. */
final class DockerTests {
  private DockerTests() {}

  /** The settings every test uses: the engine of this machine ({@code DOCKER_HOST} if set). */
  static DockerSettings settings() {
    return DockerSettings.fromEnvironment();
  }

  /** RGrid's own python3.11 runtime. */
  static RuntimeDefinition python() {
    return RuntimeCatalog.defaults().resolve("python3.11");
  }

  /** The containers of this JVM still on the engine, running or not. */
  static List<Container> containersOfThisJvm() {
    try (Engine engine = Engine.connect(settings())) {
      return new Leftovers(engine).list(Map.of(Owner.OWNER, Owner.current().label()));
    }
  }

  /** Fails when this JVM left any container behind. */
  static void assertNoContainersOfThisJvm() {
    assertThat(containersOfThisJvm()).as("containers labelled dev.rgrid.managed=true and owned "
        + "by this JVM").extracting(c -> List.of(c.getNames()) + " " + c.getLabels()).isEmpty();
  }

  /** Waits (polling) until {@code condition} holds, failing after {@code limit}. */
  static void within(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + limit);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
