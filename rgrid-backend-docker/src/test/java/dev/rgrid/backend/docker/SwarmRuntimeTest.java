package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The runtime contract on a one-node swarm of this machine's engine, with RGrid's python3.11
 * image (the contract's test that talks to the script through its local working directory is
 * skipped: this runtime mounts none).
 */
class SwarmRuntimeTest extends ContainerRuntimeContract {
  @BeforeAll
  static void aSwarm() {
    SwarmTests.aSwarm();
  }

  @Override
  protected ContainerRuntime newRuntime() {
    return new SwarmRuntime(DockerTests.settings(), SwarmRuntime.DEFAULT_STAGING_LIMIT);
  }

  @Override
  protected RuntimeDefinition python() {
    return DockerTests.python();
  }

  @AfterAll
  static void leavesNothingBehind() {
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
  }
}
