package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.NetworkHolders;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs without network join idle, empty network namespaces: one run at a time per namespace, and
 * each still sees nothing but its loopback interface.
 */
class NetworkHoldersTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  // Prints the network namespace it is in and the interfaces and routes it sees.
  private static final String NETNS = String.join("\n",
      "import os",
      "print(os.readlink('/proc/self/ns/net'), sorted(os.listdir('/sys/class/net')),",
      "      len(open('/proc/net/route').read().splitlines()) - 1, flush=True)",
      "if os.environ.get('HOLD'):",
      "    import time; time.sleep(600)",
      "");

  @TempDir Path dir;
  private DockerRuntime runtime;
  private int counter;

  @BeforeEach
  void open() {
    runtime = new DockerRuntime(DockerTests.settings());
    runtime.prepare(DockerTests.python());
  }

  @AfterEach
  void close() {
    runtime.close();
  }

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }

  @Test
  void consecutiveRunsShareANamespaceButConcurrentOnesNever() throws Exception {
    String first = run(Map.of());
    String second = run(Map.of());
    assertThat(first).endsWith("['lo'] 0\n");
    assertThat(second).isEqualTo(first);
    // The namespace is the holder's own, seen from the host (so not a recycled inode number).
    assertThat(holders()).hasSize(1);
    assertThat(first).startsWith(namespaceOf(holders().get(0).getId()) + " ");

    Captured a = new Captured();
    Captured b = new Captured();
    try (Container ca = runtime.start(spec(Map.of("HOLD", "1")), a);
        Container cb = runtime.start(spec(Map.of("HOLD", "1")), b)) {
      assertThat(a.firstOut.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(b.firstOut.await(60, TimeUnit.SECONDS)).isTrue();
      DockerTests.within(DEADLINE, () -> a.out().endsWith("\n") && b.out().endsWith("\n"));
      assertThat(a.out()).isNotEqualTo(b.out());
      assertThat(List.of(a.out(), b.out())).allSatisfy(o -> assertThat(o).endsWith("['lo'] 0\n"));
      assertThat(holders()).hasSize(2);
    }
  }

  @Test
  void aHolderRemovedFromOutsideIsReplacedWithoutFailingTheRun() throws Exception {
    run(Map.of());
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      for (var c : holders()) {
        engine.control().removeContainerCmd(c.getId()).withForce(true).exec();
      }
    }
    assertThat(holders()).isEmpty();
    assertThat(run(Map.of())).endsWith("['lo'] 0\n");
  }

  @Test
  void runsWithNetworkOrWithReuseOffGetTheirOwnNamespace() throws Exception {
    String shared = run(Map.of());
    DockerRuntime own = new DockerRuntime(DockerTests.settings().withReuseNetworks(false));
    try (own) {
      DockerRuntime before = runtime;
      runtime = own;
      try {
        String a = run(Map.of());
        String b = run(Map.of());
        // The holder still lives, so its namespace's number cannot have been reused.
        assertThat(List.of(a, b)).allSatisfy(o -> assertThat(o).isNotEqualTo(shared)
            .endsWith("['lo'] 0\n"));
      } finally {
        runtime = before;
      }
    }
    Captured sink = new Captured();
    try (Container c = runtime.start(spec(Map.of(), new Limits(0, 0, 0, true)), sink)) {
      assertThat(c.await(DEADLINE).orElseThrow().exitCode()).as(sink.err()).isZero();
    }
    assertThat(sink.out()).doesNotStartWith(shared.split(" ")[0]).doesNotEndWith("['lo'] 0\n");
  }

  @Test
  void closingRemovesTheHolders() {
    runtime.prepare(DockerTests.python());
    try {
      run(Map.of());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(holders()).hasSize(1);
    runtime.close();
    assertThat(holders()).isEmpty();
  }

  private static List<com.github.dockerjava.api.model.Container> holders() {
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      return new Leftovers(engine).list(Map.of(NetworkHolders.LABEL, "true", Owner.OWNER,
          Owner.current().label()));
    }
  }

  private static String namespaceOf(String container) throws Exception {
    try (Engine engine = Engine.connect(DockerTests.settings())) {
      Long pid = engine.control().inspectContainerCmd(container).exec().getState().getPidLong();
      return Files.readSymbolicLink(Path.of("/proc", pid.toString(), "ns", "net")).toString();
    }
  }

  private String run(Map<String, String> env) throws Exception {
    Captured sink = new Captured();
    try (Container c = runtime.start(spec(env), sink)) {
      ExitResult exit = c.await(DEADLINE).orElseThrow();
      assertThat(exit.exitCode()).as(sink.err()).isZero();
    }
    return sink.out();
  }

  private ContainerSpec spec(Map<String, String> env) throws Exception {
    return spec(env, Limits.DEFAULT);
  }

  private ContainerSpec spec(Map<String, String> env, Limits limits) throws Exception {
    counter++;
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + counter));
    Path workDir = Files.createDirectories(dir.resolve("work-" + counter));
    Files.writeString(scriptDir.resolve("main.py"), NETNS);
    return new ContainerSpec("netns-test-" + counter, DockerTests.python(), scriptDir, "main.py",
        workDir, List.of(), env, limits, Map.of("dev.rgrid.test", "netns"), null);
  }
}
