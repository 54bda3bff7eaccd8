package dev.rgrid.backend.docker;

import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract;
import org.junit.jupiter.api.AfterAll;

/** The runtime contract, on the real Docker engine with RGrid's python3.11 image. */
class DockerRuntimeTest extends ContainerRuntimeContract {
  @Override
  protected ContainerRuntime newRuntime() {
    return new DockerRuntime(DockerTests.settings());
  }

  @Override
  protected RuntimeDefinition python() {
    return DockerTests.python();
  }

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }
}
