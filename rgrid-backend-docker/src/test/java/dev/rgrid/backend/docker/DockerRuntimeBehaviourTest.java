package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.RunAs;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the Docker runtime does beyond the common contract, checked on the real engine. */
class DockerRuntimeBehaviourTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static DockerRuntime runtime;
  private static Engine engine;

  @TempDir Path dir;

  @BeforeAll
  static void open() {
    runtime = new DockerRuntime(DockerTests.settings());
    engine = Engine.connect(DockerTests.settings());
  }

  @AfterAll
  static void close() {
    runtime.close();
    engine.close();
    DockerTests.assertNoContainersOfThisJvm();
  }

  ContainerSpec spec(RuntimeDefinition def, String scriptName, String script, Limits limits,
      byte[] stdin, String... args) throws Exception {
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + UUID.randomUUID()));
    Path workDir = Files.createDirectories(dir.resolve("work-" + UUID.randomUUID()));
    Files.writeString(scriptDir.resolve(scriptName), script);
    runtime.prepare(def);
    return new ContainerSpec("exec_behaviour-1", def, scriptDir, scriptName, workDir,
        List.of(args), Map.of("GREETING", "hi"), limits, Map.of("dev.rgrid.test", "behaviour"),
        stdin == null ? null : new ByteArrayInputStream(stdin));
  }

  ContainerSpec python(String script, String... args) throws Exception {
    return spec(DockerTests.python(), "main.py", script, Limits.DEFAULT, null, args);
  }

  ExitResult runToEnd(ContainerSpec spec, Captured sink) throws Exception {
    try (Container c = runtime.start(spec, sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).as("ended within %s", DEADLINE).isPresent();
      return exit.get();
    }
  }

  InspectContainerResponse inspect(String id) {
    return engine.control().inspectContainerCmd(id).exec();
  }

  static String expectedUser() {
    return RunAs.choose(null).user();
  }

  @Test
  void startsALockedDownContainerWithTheRunsCommandEnvironmentAndLabels() throws Exception {
    Captured sink = new Captured();
    ContainerSpec spec = python("import time\nprint('up', flush=True)\ntime.sleep(600)\n",
        "first arg", "$HOME");
    try (Container c = runtime.start(spec, sink)) {
      assertThat(sink.firstOut.await(60, TimeUnit.SECONDS)).isTrue();
      InspectContainerResponse info = inspect(c.id());
      HostConfig host = info.getHostConfig();
      assertThat(host.getReadonlyRootfs()).isTrue();
      assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
      assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
      assertThat(host.getPidsLimit()).isEqualTo(256L);
      assertThat(host.getMemory()).isEqualTo(1L << 30);
      assertThat(host.getMemorySwap()).isEqualTo(1L << 30);
      assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
      // No network: its own empty namespace, or that of a holder container with network none.
      String network = host.getNetworkMode();
      if (network.startsWith("container:")) {
        assertThat(inspect(network.substring("container:".length())).getHostConfig()
            .getNetworkMode()).isEqualTo("none");
      } else {
        assertThat(network).isEqualTo("none");
      }
      assertThat(host.getInit()).isTrue();
      assertThat(host.getTmpFs()).containsOnlyKeys("/tmp");
      assertThat(host.getTmpFs().get("/tmp")).contains("size=67108864", "noexec", "nosuid");
      assertThat(host.getShmSize()).isEqualTo(64L << 20);
      assertThat(info.getMounts()).extracting(m -> m.getDestination().getPath() + " "
          + m.getSource() + " " + m.getRW()).containsExactlyInAnyOrder(
              "/work " + spec.workDir().toRealPath() + " true",
              "/rgrid " + spec.scriptDir().toRealPath() + " false");
      assertThat(info.getConfig().getUser()).isEqualTo(expectedUser()).doesNotStartWith("0");
      assertThat(info.getConfig().getEntrypoint()).containsExactly("python3");
      assertThat(info.getConfig().getCmd())
          .containsExactly("-u", "/rgrid/main.py", "first arg", "$HOME");
      assertThat(info.getConfig().getWorkingDir()).isEqualTo("/work");
      assertThat(info.getConfig().getEnv()).contains("LANG=C.UTF-8", "PYTHONUNBUFFERED=1",
          "PYTHONDONTWRITEBYTECODE=1", "HOME=/work", "GREETING=hi");
      assertThat(info.getConfig().getLabels()).containsEntry("dev.rgrid.test", "behaviour")
          .containsAllEntriesOf(Owner.current().labels());
      assertThat(info.getName()).startsWith("/rgrid-exec_behaviour-1-");
      c.kill();
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(137);
    }
  }

  @Test
  void honoursTheLimitsARunAsksFor() throws Exception {
    ContainerSpec spec = spec(DockerTests.python(), "main.py",
        "import time\nprint('up', flush=True)\ntime.sleep(600)\n",
        new Limits(500, 128L << 20, 64, true), null);
    Captured sink = new Captured();
    try (Container c = runtime.start(spec, sink)) {
      HostConfig host = inspect(c.id()).getHostConfig();
      assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
      assertThat(host.getMemory()).isEqualTo(128L << 20);
      assertThat(host.getMemorySwap()).isEqualTo(128L << 20);
      assertThat(host.getPidsLimit()).isEqualTo(64L);
      assertThat(host.getNetworkMode()).isEqualTo("bridge");
    }
  }

  @Test
  void closeKillsAndRemovesTheContainerAndLaterCallsAreHarmless() throws Exception {
    Captured sink = new Captured();
    Container c = runtime.start(python("import time\nprint('up', flush=True)\n"
        + "time.sleep(600)\n"), sink);
    assertThat(sink.firstOut.await(60, TimeUnit.SECONDS)).isTrue();
    c.close();
    assertThatThrownBy(() -> inspect(c.id())).isInstanceOf(NotFoundException.class);
    assertThat(sink.closed.await(10, TimeUnit.SECONDS)).isTrue();
    c.close();
    c.kill();
    assertThat(c.await(Duration.ZERO)).map(ExitResult::exitCode).contains(137);
  }

  @Test
  void deliversEveryLineOfAFastScriptBeforeAwaitReturns() throws Exception {
    Captured sink = new Captured();
    ExitResult exit = runToEnd(python("import sys\nfor i in range(20000):\n"
        + "    print(i)\n    if i % 1000 == 0: print(i, file=sys.stderr)\n"), sink);
    assertThat(exit.exitCode()).isZero();
    StringBuilder expected = new StringBuilder();
    StringBuilder expectedErr = new StringBuilder();
    for (int i = 0; i < 20000; i++) {
      expected.append(i).append('\n');
      if (i % 1000 == 0) {
        expectedErr.append(i).append('\n');
      }
    }
    assertThat(sink.out()).isEqualTo(expected.toString());
    assertThat(sink.err()).isEqualTo(expectedErr.toString());
  }

  @Test
  void feedsLargeStdinAndEndsAScriptThatNeverReadsIt() throws Exception {
    byte[] big = new byte[5 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    Captured counted = new Captured();
    ExitResult exit = runToEnd(spec(DockerTests.python(), "main.py",
        "import sys, hashlib\ndata = sys.stdin.buffer.read()\n"
            + "print(len(data), hashlib.sha256(data).hexdigest())\n", Limits.DEFAULT, big),
        counted);
    assertThat(exit.exitCode()).isZero();
    String sha = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(big));
    assertThat(counted.out()).isEqualTo(big.length + " " + sha + "\n");

    Captured ignored = new Captured();
    ExitResult early = runToEnd(spec(DockerTests.python(), "main.py", "print('not reading')\n",
        Limits.DEFAULT, big), ignored);
    assertThat(early.exitCode()).isZero();
    assertThat(ignored.out()).isEqualTo("not reading\n");
  }

  @Test
  void aPrivateScriptIsStillReadableAndTheScriptsFilesBelongToItsUser() throws Exception {
    ContainerSpec spec = python("open('made.txt', 'w').write('x')\nprint('ran')\n");
    Files.setPosixFilePermissions(spec.scriptDir().resolve("main.py"),
        PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(spec.scriptDir(), PosixFilePermissions.fromString("rwx------"));
    Captured sink = new Captured();
    assertThat(runToEnd(spec, sink).exitCode()).as(sink.err()).isZero();
    assertThat(sink.out()).isEqualTo("ran\n");
    Path made = spec.workDir().resolve("made.txt");
    assertThat(made).hasContent("x");
    int uid = Integer.parseInt(expectedUser().split(":")[0]);
    assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo(uid);
  }

  @Test
  void runsTheNodeAndBashRuntimesOfTheCatalog() throws Exception {
    RuntimeCatalog catalog = RuntimeCatalog.defaults();
    Captured node = new Captured();
    assertThat(runToEnd(spec(catalog.resolve("node20"), "main.js",
        "console.log('node', process.argv.slice(2).join('|'))\n", Limits.DEFAULT, null,
        "a b", "c"), node).exitCode()).isZero();
    assertThat(node.out()).isEqualTo("node a b|c\n");
    Captured bash = new Captured();
    assertThat(runToEnd(spec(catalog.resolve("bash"), "main.sh",
        "echo \"bash $1|$2 $(id -u)\"\nexit 4\n", Limits.DEFAULT, null, "x; rm -rf /", "$(id)"),
        bash).exitCode()).isEqualTo(4);
    assertThat(bash.out()).isEqualTo("bash x; rm -rf /|$(id) " + expectedUser().split(":")[0]
        + "\n");
  }

  @Test
  void runsManyContainersAtOnceKeepingTheirOutputApart() throws Exception {
    int n = 8;
    List<ContainerSpec> specs = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(python("import sys, time\nfor k in range(200):\n"
          + "    print(sys.argv[1], k, flush=True)\n    time.sleep(0.001)\n", "run" + i));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      List<java.util.concurrent.Future<String>> outs = new java.util.ArrayList<>();
      for (ContainerSpec spec : specs) {
        outs.add(pool.submit(() -> {
          Captured sink = new Captured();
          assertThat(runToEnd(spec, sink).exitCode()).isZero();
          return sink.out();
        }));
      }
      for (int i = 0; i < n; i++) {
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < 200; k++) {
          expected.append("run").append(i).append(' ').append(k).append('\n');
        }
        assertThat(outs.get(i).get(2, TimeUnit.MINUTES)).isEqualTo(expected.toString());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAMissingImageNamingItAndHowToBuildIt() {
    RuntimeDefinition missing = new RuntimeDefinition("nosuch9", "rgrid/nosuch9:none",
        List.of("python3"), List.of(), ".py");
    assertThatThrownBy(() -> runtime.prepare(missing))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessageContaining("rgrid/nosuch9:none")
        .hasMessageContaining(DockerTests.settings().dockerHost().toString())
        .satisfies(e -> assertThat(((RuntimeUnavailableException) e).hint())
            .hasValueSatisfying(h -> assertThat(h).contains("scripts/build-images")));
  }

  @Test
  void anImageWithoutTheInterpreterFailsTheRunWith127SayingWhatIsMissing() throws Exception {
    RuntimeDefinition broken = new RuntimeDefinition("nointerp", "rgrid/bash:5",
        List.of("no-such-interpreter-9"), List.of(), ".x");
    Captured sink = new Captured();
    ExitResult exit = runToEnd(spec(broken, "main.x", "whatever\n", Limits.DEFAULT, null), sink);
    assertThat(exit.exitCode()).isEqualTo(127);
    assertThat(sink.err()).contains("exec no-such-interpreter-9 failed");
  }

  @Test
  void aContainerTheEngineRefusesFailsFastClosesStdinAndLeavesNothingBehind()
      throws Exception {
    // The engine refuses memory limits under 6 MiB.
    boolean[] stdinClosed = {false};
    ByteArrayInputStream stdin = new ByteArrayInputStream(new byte[10]) {
      @Override
      public void close() {
        stdinClosed[0] = true;
      }
    };
    ContainerSpec base = python("print('never')\n");
    ContainerSpec spec = new ContainerSpec(base.name(), base.runtime(), base.scriptDir(),
        base.scriptName(), base.workDir(), List.of(), Map.of(), new Limits(0, 1L << 20, 0, false),
        Map.of(), stdin);
    assertThatThrownBy(() -> runtime.start(spec, new Captured()))
        .isInstanceOf(ContainerStartException.class)
        .hasMessageContaining("Minimum memory limit")
        .satisfies(e -> assertThat(((ContainerStartException) e).refusedSettings()).isTrue())
        .satisfies(e -> assertThat(((ContainerStartException) e).hint()).hasValueSatisfying(
            h -> assertThat(h).contains("--memory").doesNotContain("disk")));
    assertThat(stdinClosed[0]).isTrue();
    // Nothing of the refused run is left; idle network holders of the open runtime may be.
    assertThat(DockerTests.containersOfThisJvm()).allSatisfy(c -> assertThat(c.getLabels())
        .containsEntry(dev.rgrid.backend.docker.internal.NetworkHolders.LABEL, "true"));
  }

  @Test
  void moreCpusThanTheEngineHasAreRefusedAsSettingsNoRetryCuresWithATrueHint()
      throws Exception {
    int cpus = runtime.cpus();
    assertThat(cpus).as("the engine says how many CPUs it has").isPositive();
    ContainerSpec base = python("print('never')\n");
    ContainerSpec spec = new ContainerSpec(base.name(), base.runtime(), base.scriptDir(),
        base.scriptName(), base.workDir(), List.of(), Map.of(),
        new Limits((cpus + 1) * 1000L, 0, 0, false), Map.of(), null);

    assertThatThrownBy(() -> runtime.start(spec, new Captured()))
        .isInstanceOf(ContainerStartException.class)
        .hasMessageContaining("CPUs")
        .satisfies(e -> assertThat(((ContainerStartException) e).refusedSettings()).isTrue())
        .satisfies(e -> assertThat(((ContainerStartException) e).hint()).hasValueSatisfying(
            h -> assertThat(h).contains("--cpus").doesNotContain("disk")));
  }

  @Test
  void pathsPutTheWorkingDirectoryAtWorkAndTheScriptUnderRgrid() {
    ContainerPaths paths = runtime.paths(dir.resolve("w"), dir.resolve("s"), "job.py");
    assertThat(paths).isEqualTo(new ContainerPaths("/work", "/rgrid/job.py"));
    assertThatThrownBy(() -> runtime.paths(dir, dir, "../job.py"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(runtime.name()).isEqualTo("docker");
    assertThat(runtime.capabilities().isolates()).isTrue();
    assertThat(runtime.capabilities().enforcesLimits()).isTrue();
    assertThat(runtime.capabilities().localMounts()).isTrue();
  }

  @Test
  void reapRemovesLabelledLeftoversButNeverAContainerThatIsStillOpen() throws Exception {
    String tag = "reap-" + UUID.randomUUID();
    ContainerSpec spec = spec(DockerTests.python(), "main.py",
        "import time\nprint('up', flush=True)\ntime.sleep(600)\n", Limits.DEFAULT, null);
    spec = new ContainerSpec(spec.name(), spec.runtime(), spec.scriptDir(), spec.scriptName(),
        spec.workDir(), spec.args(), spec.env(), spec.limits(), Map.of("dev.rgrid.test", tag),
        null);
    Captured sink = new Captured();
    try (Container open = runtime.start(spec, sink);
        Leftover leftover = Leftover.create(engine, Map.of("dev.rgrid.test", tag,
            Owner.MANAGED, "true", Owner.HOST, "another-machine", Owner.OWNER, "1:unknown"))) {
      assertThat(runtime.reap(Map.of("dev.rgrid.test", tag))).isEqualTo(1);
      assertThat(leftover.exists()).isFalse();
      assertThat(inspect(open.id()).getState().getRunning()).isTrue();
    }
  }
}
