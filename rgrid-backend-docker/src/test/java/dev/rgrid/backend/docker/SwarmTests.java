package dev.rgrid.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.SwarmSpec;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.swarm.SwarmLeftovers;
import dev.rgrid.backend.docker.internal.swarm.SwarmRecipe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What the swarm runtime's tests share: a one-node swarm on loopback, made on this machine's
 * engine when it is not a manager yet and left in place (later tests and runs use it).
 */
final class SwarmTests {
  private SwarmTests() {}

  /**
   * Makes the local engine a swarm manager when it is not one; skips the calling test class when
   * no engine answers.
   */
  static void aSwarm() {
    Engine engine;
    try {
      engine = Engine.connect(DockerTests.settings());
    } catch (RuntimeException e) {
      Assumptions.abort("no Docker engine answers: " + e.getMessage());
      return;
    }
    try (engine) {
      DockerClient docker = engine.control();
      if (docker.infoCmd().exec().getSwarm().getLocalNodeState() != LocalNodeState.ACTIVE) {
        docker.initializeSwarmCmd(new SwarmSpec()).withListenAddr("127.0.0.1:2377")
            .withAdvertiseAddr("127.0.0.1").exec();
      }
    }
  }

  /** The managed services on the engine carrying all of {@code labels}. */
  static List<com.github.dockerjava.api.model.Service> servicesOf(Map<String, String> labels) {
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      return new SwarmLeftovers(engine).services(labels);
    }
  }

  /** The containers of swarm tasks this JVM's runs left on the engine, running or not. */
  static List<com.github.dockerjava.api.model.Container> taskContainersOfThisJvm() {
    return DockerTests.containersOfThisJvm().stream()
        .filter(c -> c.getLabels().containsKey(SwarmRecipe.TASK)).toList();
  }

  /** The containers of the service {@code id} on this engine, running or not. */
  static List<com.github.dockerjava.api.model.Container> containersOfService(String id) {
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      return engine.control().listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of("com.docker.swarm.service.id", id)).exec();
    }
  }

  /** The services and overlay networks this JVM still has on the engine, by name. */
  static List<String> swarmThingsOfThisJvm() {
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      SwarmLeftovers leftovers = new SwarmLeftovers(engine);
      Map<String, String> mine = Map.of(Owner.OWNER, Owner.current().label());
      List<String> names = new java.util.ArrayList<>();
      leftovers.services(mine).forEach(s -> names.add("service " + s.getSpec().getName()));
      leftovers.networks(mine).forEach(n -> names.add("network " + n.getName()));
      return names;
    }
  }
}
