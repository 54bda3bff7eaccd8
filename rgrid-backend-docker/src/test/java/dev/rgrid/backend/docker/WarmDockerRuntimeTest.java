package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The runtime contract again, with warm containers: every run of the kit is served by a
 * container started ahead (the runtime is primed and filled before each test).
 */
class WarmDockerRuntimeTest extends ContainerRuntimeContract {
  @Override
  protected ContainerRuntime newRuntime() throws Exception {
    DockerRuntime warm = new DockerRuntime(DockerTests.settings().withWarmContainers(2));
    prime(warm, dir);
    return warm;
  }

  @Override
  protected RuntimeDefinition python() {
    return DockerTests.python();
  }

  /** One run shows the runtime where runs keep their files; then the pool fills. */
  static void prime(DockerRuntime runtime, Path dir) throws Exception {
    int size = runtime.settings().warmContainers();
    runtime.prepare(DockerTests.python());
    Path scriptDir = Files.createDirectories(dir.resolve("prime-script"));
    Path workDir = Files.createDirectories(dir.resolve("prime-work"));
    Files.writeString(scriptDir.resolve("main.py"), "pass\n");
    ContainerSpec spec = new ContainerSpec("prime", DockerTests.python(), scriptDir, "main.py",
        workDir, List.of(), Map.of(), Limits.DEFAULT, Map.of(), null);
    try (Container c = runtime.start(spec, new Captured())) {
      assertThat(c.await(Duration.ofSeconds(60))).isPresent();
    }
    DockerTests.within(Duration.ofSeconds(60),
        () -> runtime.warmContainers(DockerTests.python()) >= size);
  }

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }
}
