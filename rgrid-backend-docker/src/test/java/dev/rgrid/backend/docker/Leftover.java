package dev.rgrid.backend.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import dev.rgrid.backend.docker.internal.Engine;
import java.util.Map;
import java.util.UUID;

/**
 * A container made by hand, as a crashed RGrid process would have left it: running a long sleep,
 * with the labels given. Closing removes it if it still exists.
 */
final class Leftover implements AutoCloseable {
  private final Engine engine;
  private final String id;

  private Leftover(Engine engine, String id) {
    this.engine = engine;
    this.id = id;
  }

  static Leftover create(Engine engine, Map<String, String> labels) {
    String id = engine.control().createContainerCmd(DockerTests.python().image())
        .withName("rgrid-test-leftover-" + UUID.randomUUID())
        .withEntrypoint("python3")
        .withCmd("-c", "import time; time.sleep(600)")
        .withLabels(labels)
        .withUser("65534:65534")
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none").withInit(true)
            .withReadonlyRootfs(true))
        .exec().getId();
    engine.control().startContainerCmd(id).exec();
    return new Leftover(engine, id);
  }

  String id() {
    return id;
  }

  boolean exists() {
    try {
      engine.control().inspectContainerCmd(id).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      engine.control().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // Already removed, which is what most tests expect.
    }
  }
}
