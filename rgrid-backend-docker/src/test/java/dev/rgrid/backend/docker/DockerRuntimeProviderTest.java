package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerRuntimeProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, the engine check of {@code create()}, and the removal of leftovers at start-up. */
class DockerRuntimeProviderTest {
  /** Only a hang fails on time: see {@link #createFails}. */
  private static final Duration HANG = Duration.ofSeconds(60);

  @TempDir Path dir;

  @AfterAll
  static void leavesNoContainerBehind() {
    DockerTests.assertNoContainersOfThisJvm();
  }

  /**
   * What {@code create()} throws for {@code env}. No timing is asserted (a loaded machine makes
   * any tight bound flaky); the bound here only turns a hang (a retry loop, a missing timeout)
   * into a failure instead of a stuck build, so it is far above the 2 s ping timeout.
   */
  static BackendUnavailableException createFails(Map<String, String> env) {
    Throwable thrown = assertTimeoutPreemptively(HANG, () -> org.assertj.core.api.Assertions
        .catchThrowable(() -> new DockerRuntimeProvider(env).create().close()));
    assertThat(thrown).isInstanceOf(BackendUnavailableException.class);
    BackendUnavailableException e = (BackendUnavailableException) thrown;
    assertThat(e.backend()).isEqualTo("docker");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
        .contains("scripts/docker-setup", "DOCKER_HOST", "RGRID_RUNTIME=process"));
    return e;
  }

  @Test
  void isDiscoveredAsThePreferredDockerRuntime() {
    List<ContainerRuntimeProvider> found = new ArrayList<>();
    ServiceLoader.load(ContainerRuntimeProvider.class).forEach(found::add);
    assertThat(found).filteredOn(p -> p instanceof DockerRuntimeProvider).singleElement()
        .satisfies(p -> {
          assertThat(p.name()).isEqualTo("docker");
          assertThat(p.priority()).isEqualTo(100);
        });
  }

  @Test
  void createsAWorkingRuntimeWhenTheEngineAnswersThatRefusesWorkOnceClosed() {
    ContainerRuntime runtime = new DockerRuntimeProvider(System.getenv()).create();
    try (runtime) {
      assertThat(runtime.name()).isEqualTo("docker");
      runtime.prepare(DockerTests.python());
    }
    runtime.close();
    assertThatThrownBy(() -> runtime.prepare(DockerTests.python()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void theSwarmProviderRefusesAPendingLimitThatIsNoWholeNumberOfSeconds() {
    for (String bad : List.of("soon", "0", "-5", "1.5", "99999999999999999999", "1\n2",
        "x".repeat(10_000))) {
      assertThatThrownBy(() -> new SwarmRuntimeProvider(Map.of(
          SwarmRuntimeProvider.PENDING_LIMIT, bad)).create().close())
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("RGRID_SWARM_PENDING_LIMIT must be a whole number of seconds")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).doesNotContain("\n"));
    }
  }

  @Test
  void failsAtOnceNamingASocketThatDoesNotExist() {
    String endpoint = "unix://" + dir.resolve("no-engine-here/docker.sock");
    BackendUnavailableException e = createFails(Map.of("DOCKER_HOST", endpoint));
    // At once: on the missing socket's own error, not after waiting out a timeout.
    assertThat(e).hasMessageContaining(endpoint);
    assertThat(e.getMessage()).doesNotContainIgnoringCase("timed out");
  }

  @Test
  void givesUpOnAnEngineThatAcceptsButNeverAnswersWithinThePingTimeout() throws Exception {
    // A loopback listener that accepts connections and stays silent: a hung engine.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (java.io.IOException e) {
          // closed by the test: done
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String endpoint = "tcp://127.0.0.1:" + silent.getLocalPort();
      BackendUnavailableException e = createFails(Map.of("DOCKER_HOST", endpoint));
      // Given up when the ping timed out, on its one connection: no retry, no second try.
      assertThat(e).hasMessageContaining(endpoint).hasMessageContaining("2000 ms");
      assertThat(accepted).hasSize(1);
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void refusesADockerHostThatIsNoEndpoint() {
    BackendUnavailableException e = createFails(Map.of("DOCKER_HOST", "ssh://user@host"));
    assertThat(e).hasMessageContaining("ssh://user@host");
  }

  @Test
  void removesTheContainerOfAnRGridProcessKilledMidRunWhenTheNextRuntimeStarts()
      throws Exception {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process owner = new ProcessBuilder(javaBin.toString(), "-cp",
        System.getProperty("java.class.path"), CrashingOwner.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String id;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(),
        StandardCharsets.UTF_8))) {
      id = out.readLine();
      assertThat(id).as("container id printed by the owner").isNotBlank();
      try (Engine engine = Engine.connect(DockerTests.settings())) {
        assertThat(engine.control().inspectContainerCmd(id).exec().getState().getRunning())
            .isTrue();
        owner.destroyForcibly();
        assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.control().inspectContainerCmd(id).exec().getState().getRunning())
            .as("a killed JVM cannot clean up: its container still runs").isTrue();
        new DockerRuntime(DockerTests.settings()).close();
        assertThatThrownBy(() -> engine.control().inspectContainerCmd(id).exec())
            .isInstanceOf(NotFoundException.class);
      }
    } finally {
      owner.destroyForcibly();
    }
  }

  @Test
  void removesLeftoversOfEndedProcessesAndKeepsThoseOfLiveOnes() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Owner me = Owner.current();
    Owner deadPid = new Owner(me.host(), ended.pid(), Instant.now().minusSeconds(1));
    Owner reusedPid = new Owner(me.host(), me.pid(), me.started().minusSeconds(3600));
    Owner elsewhere = new Owner("another-machine", ended.pid(), Instant.EPOCH);
    try (Engine engine = Engine.connect(DockerTests.settings());
        Leftover ofDeadPid = Leftover.create(engine, deadPid.labels());
        Leftover ofReusedPid = Leftover.create(engine, reusedPid.labels());
        Leftover ofOtherMachine = Leftover.create(engine, elsewhere.labels());
        Leftover ofThisJvm = Leftover.create(engine, me.labels())) {
      new DockerRuntime(DockerTests.settings()).close();
      assertThat(ofDeadPid.exists()).as("container of an ended process").isFalse();
      assertThat(ofReusedPid.exists()).as("container of a pid now reused").isFalse();
      assertThat(ofOtherMachine.exists()).as("container of another machine").isTrue();
      assertThat(ofThisJvm.exists()).as("container of this live JVM").isTrue();
    }
  }
}
