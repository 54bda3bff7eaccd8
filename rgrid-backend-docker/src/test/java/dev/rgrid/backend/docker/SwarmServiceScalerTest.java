package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.SwarmSpec;
import com.github.dockerjava.api.model.TaskSpec;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.scale.ScaledMachine;
import dev.rgrid.spi.scale.WorkerScaler;
import dev.rgrid.spi.scale.WorkerScalerProvider;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Swarm scaler on this machine's engine: made a single-node swarm on loopback for the test
 * when it is not one (and left again afterwards, only then), with a replicated service of a local
 * image that only sleeps.
 */
class SwarmServiceScalerTest {
  private static final String LABEL = "dev.rgrid.test";
  private static final String LABEL_VALUE = "swarm-scaler";
  private static final String GWBRIDGE = "docker_gwbridge";
  private static final Duration SETTLE = Duration.ofSeconds(90);

  private static Engine engine;
  private static boolean madeTheSwarm;
  /** Swarm init makes this bridge and leaving keeps it: removed when the test made it. */
  private static boolean madeTheBridge;
  private static String service;

  @BeforeAll
  static void aSwarmAndAService() {
    engine = Engine.connect(DockerTests.settings());
    DockerClient docker = engine.control();
    if (docker.infoCmd().exec().getSwarm().getLocalNodeState() != LocalNodeState.ACTIVE) {
      madeTheBridge = docker.listNetworksCmd().withNameFilter(GWBRIDGE).exec().isEmpty();
      docker.initializeSwarmCmd(new SwarmSpec()).withListenAddr("127.0.0.1:2377")
          .withAdvertiseAddr("127.0.0.1").exec();
      madeTheSwarm = true;
    }
    removeServicesOfThisTest(); // a run that was killed may have left one
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    service = "rgrid-scale-test-" + HexFormat.of().formatHex(random);
    docker.createServiceCmd(new ServiceSpec().withName(service)
        .withLabels(Map.of(LABEL, LABEL_VALUE))
        .withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec()
            .withImage("rgrid/bash:5").withCommand(List.of("sleep", "3600"))
            .withLabels(Map.of(LABEL, LABEL_VALUE))))
        .withMode(new ServiceModeConfig().withReplicated(
            new ServiceReplicatedModeOptions().withReplicas(0)))).exec();
  }

  @AfterAll
  static void removeTheServiceAndTheSwarmWeMade() {
    if (engine == null) {
      return;
    }
    try {
      removeServicesOfThisTest();
      // The tasks' containers go after their service, asynchronously.
      within(SETTLE, () -> engine.control().listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of(LABEL, LABEL_VALUE)).exec().isEmpty());
      if (madeTheSwarm) {
        engine.control().leaveSwarmCmd().withForceEnabled(true).exec();
        if (madeTheBridge) {
          engine.control().removeNetworkCmd(GWBRIDGE).exec();
        }
      }
    } finally {
      engine.close();
    }
  }

  private static void removeServicesOfThisTest() {
    for (Service s : engine.control().listServicesCmd()
        .withLabelFilter(Map.of(LABEL, LABEL_VALUE)).exec()) {
      engine.control().removeServiceCmd(s.getId()).exec();
    }
  }

  @Test
  void setsTheReplicasOfAServiceAndListsItsTasksAsMachinesWithTheirStartTimes() {
    Instant before = Instant.now().minusSeconds(60); // the engine's clock may differ a little
    try (WorkerScaler scaler = SwarmServiceScaler.open(DockerTests.settings(), service)) {
      assertThat(scaler.describe()).isEqualTo("swarm service " + service);
      assertThat(scaler.replicas()).isZero();
      assertThat(scaler.machines()).isEmpty();

      scaler.setReplicas(2);
      assertThat(scaler.replicas()).isEqualTo(2);
      within(SETTLE, () -> scaler.machines().size() == 2);
      List<ScaledMachine> machines = scaler.machines();
      assertThat(machines).extracting(ScaledMachine::id).doesNotHaveDuplicates();
      assertThat(machines).allSatisfy(m -> assertThat(m.startedAt()).isAfter(before));

      scaler.setReplicas(2); // unchanged: accepted
      scaler.setReplicas(1);
      assertThat(scaler.replicas()).isEqualTo(1);
      within(SETTLE, () -> scaler.machines().size() == 1);
      // Swarm stops one of the two; the other keeps its start time (its billed hours).
      assertThat(machines).contains(scaler.machines().get(0));

      scaler.setReplicas(0);
      within(SETTLE, () -> scaler.machines().isEmpty());
      assertThatThrownBy(() -> scaler.setReplicas(-1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aMissingServiceOrABadNameIsSaidAsSuch() {
    assertThatThrownBy(() -> SwarmServiceScaler.open(DockerTests.settings(), "rgrid-no-such-"
        + service)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("there is no swarm service rgrid-no-such-" + service)
        .satisfies(e -> assertThat(((NotFoundException) e).hint()).get().asString()
            .contains("docker stack deploy"));
    for (String bad : List.of("", "-leading-dash", "a/b", "x".repeat(64), "name with space",
        "../../etc")) {
      assertThatThrownBy(() -> SwarmServiceScaler.open(DockerTests.settings(), bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a Docker service name");
    }
  }

  @Test
  void theScalerIsFoundAsSwarmThroughTheServiceLoader() {
    WorkerScalerProvider swarm = ServiceLoader.load(WorkerScalerProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("swarm")).findFirst()
        .orElseThrow();
    try (WorkerScaler scaler = swarm.open(service)) {
      assertThat(scaler.replicas()).isGreaterThanOrEqualTo(0);
      assertThat(scaler.describe()).contains(service);
    }
  }
}
