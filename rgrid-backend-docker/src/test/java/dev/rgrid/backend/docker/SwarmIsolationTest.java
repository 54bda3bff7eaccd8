package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Network;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.swarm.SwarmJob;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm runtime's own promises, on a one-node swarm of this machine's engine (one runtime for
 * the class): files staged in and out with no host directory mounted, isolation proven from
 * inside the task (its interfaces, routes, name resolution, user and capabilities) and from the
 * engine (the relay is the task's only peer), the memory limit, and the sweep of what an ended
 * RGrid process left. Nothing here sends traffic anywhere but to this machine's own containers.
 */
class SwarmIsolationTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static SwarmRuntime runtime;
  private static Engine engine;
  private static int counter;

  @TempDir
  static Path dir;

  @BeforeAll
  static void aSwarmAndARuntime() {
    SwarmTests.aSwarm();
    runtime = new SwarmRuntime(DockerTests.settings(), 1 << 20);
    runtime.prepare(DockerTests.python());
    engine = Engine.connect(DockerTests.settings());
  }

  @AfterAll
  static void leavesNothingBehind() {
    if (runtime == null) {
      return;
    }
    String relay = runtime.relayId();
    runtime.close();
    engine.close();
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
    assertThat(DockerTests.containersOfThisJvm()).extracting(c -> c.getId())
        .doesNotContain(relay);
  }

  private static ContainerSpec spec(String script, Path workDir, Limits limits,
      java.io.InputStream stdin) throws Exception {
    counter++;
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + counter));
    Files.writeString(scriptDir.resolve("main.py"), script);
    return new ContainerSpec("swarm-test-" + counter, DockerTests.python(), scriptDir, "main.py",
        workDir, List.of(), Map.of(), limits, Map.of(Leftovers.EXECUTION, "swarm-test-" + counter),
        stdin);
  }

  @Test
  void stagesInputsInAndNewFilesBackWithTheExitCode() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work-files"));
    Files.createDirectories(work.resolve("in"));
    Files.writeString(work.resolve("in/data.txt"), "some input");
    Files.writeString(work.resolve("untouched.txt"), "same");
    String script = "import os, sys\n"
        + "data = open('in/data.txt').read()\n"
        + "os.makedirs('out/deep', exist_ok=True)\n"
        + "open('out/deep/result.txt', 'w').write(data.upper())\n"
        + "open('in/data.txt', 'a').write(' and more')\n"
        + "open('too-big.bin', 'wb').write(b'x' * (2 << 20))\n"
        + "os.symlink('/etc/passwd', 'link')\n"
        + "print('read', len(data))\n"
        + "sys.exit(3)\n";
    Captured sink = new Captured();
    try (Container c = runtime.start(spec(script, work, Limits.DEFAULT, null), sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).map(ExitResult::exitCode).contains(3);
    }
    assertThat(work.resolve("out/deep/result.txt")).hasContent("SOME INPUT");
    assertThat(work.resolve("in/data.txt")).hasContent("some input and more");
    assertThat(work.resolve("untouched.txt")).hasContent("same");
    assertThat(work.resolve("too-big.bin")).as("past the 1 MiB staging limit").doesNotExist();
    assertThat(work.resolve("link")).doesNotExist();
    assertThat(sink.out()).isEqualTo("read 10\n");
    assertThat(sink.err()).contains("past the staging limit").contains("too-big.bin");
    assertThat(sink.closed.await(1, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theTaskSeesOnlyItsOwnNetworkAndTheRelayIsItsOnlyPeer() throws Exception {
    String script = "import json, os, socket, sys\n"
        + "routes = [l.split() for l in open('/proc/net/route').read().splitlines()[1:]]\n"
        + "try:\n"
        + "    socket.getaddrinfo('rgrid-isolation-check.invalid', 80)\n"
        + "    dns = 'resolved'\n"
        + "except socket.gaierror:\n"
        + "    dns = 'failed'\n"
        + "try:\n"
        + "    open('/etc/rgrid-probe', 'w')\n"
        + "    root = 'writable'\n"
        + "except OSError:\n"
        + "    root = 'read-only'\n"
        + "status = dict(l.split(':\\t', 1) for l in open('/proc/self/status') if ':\\t' in l)\n"
        + "print(json.dumps({'ifaces': sorted(os.listdir('/sys/class/net')),\n"
        + "    'default': any(r[1] == '00000000' for r in routes), 'dns': dns, 'root': root,\n"
        + "    'uid': os.getuid(), 'capEff': status['CapEff'].strip(),\n"
        + "    'capPrm': status['CapPrm'].strip(), 'nnp': status['NoNewPrivs'].strip()}),\n"
        + "    flush=True)\n"
        + "sys.stdin.read()\n";
    PipedOutputStream hold = new PipedOutputStream();
    Captured sink = new Captured();
    Path work = Files.createDirectories(dir.resolve("work-isolation"));
    try (Container c = runtime.start(spec(script, work, Limits.DEFAULT,
        new PipedInputStream(hold)), sink)) {
      within(DEADLINE, () -> sink.out().endsWith("\n"));
      assertThat(sink.out().strip()).isEqualTo("{\"ifaces\": [\"eth0\", \"lo\"], \"default\": "
          + "false, \"dns\": \"failed\", \"root\": \"read-only\", \"uid\": 65534, \"capEff\": "
          + "\"0000000000000000\", \"capPrm\": \"0000000000000000\", \"nnp\": \"1\"}");
      // While the task runs: on its network, the relay and the task's own container alone.
      Network network = engine.control().inspectNetworkCmd()
          .withNetworkId(((SwarmJob) c).network()).exec();
      assertThat(network.getInternal()).isTrue();
      // Beside them only the engine's own load-balancer endpoint of the network ("lb-<name>",
      // no container: IPVS in the node's kernel, with no virtual IP to serve for dnsrr jobs).
      Map<String, Network.ContainerNetworkConfig> members = new java.util.HashMap<>(
          network.getContainers());
      members.keySet().removeIf(k -> k.equals("lb-" + network.getName()));
      assertThat(members).hasSize(2).containsKey(runtime.relayId());
      assertThat(members.values()).extracting(Network.ContainerNetworkConfig::getName)
          .anySatisfy(name -> assertThat(name).startsWith(((SwarmJob) c).name() + "."));
      hold.close();
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
    }
  }

  @Test
  void aRunThatAsksForTheNetworkGetsARouteOutAndTheNodesNameServers() throws Exception {
    // Seen from inside only: its interfaces, its routes, its resolver's configuration. Nothing
    // is sent anywhere.
    String script = "import json, os, sys\n"
        + "routes = [l.split() for l in open('/proc/net/route').read().splitlines()[1:]]\n"
        + "print(json.dumps({'ifaces': sorted(os.listdir('/sys/class/net')),\n"
        + "    'default': any(r[1] == '00000000' for r in routes),\n"
        + "    'resolv': open('/etc/resolv.conf').read()}), flush=True)\n"
        + "sys.stdin.read()\n";
    PipedOutputStream hold = new PipedOutputStream();
    Captured sink = new Captured();
    Path work = Files.createDirectories(dir.resolve("work-network"));
    try (Container c = runtime.start(spec(script, work, new Limits(0, 0, 0, true),
        new PipedInputStream(hold)), sink)) {
      within(DEADLINE, () -> sink.out().endsWith("\n"));
      var seen = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sink.out());
      assertThat(seen.get("ifaces")).extracting(n -> n.asText())
          .as("the run's network and the node's gateway bridge").containsExactly("eth0", "eth1",
              "lo");
      assertThat(seen.get("default").asBoolean()).as("a default route").isTrue();
      assertThat(seen.get("resolv").asText()).as("the engine's resolver, which forwards")
          .contains("nameserver 127.0.0.11").doesNotContain("attempts:1");
      Network network = engine.control().inspectNetworkCmd()
          .withNetworkId(((SwarmJob) c).network()).exec();
      assertThat(network.getInternal()).isFalse();
      assertThat(engine.control().inspectServiceCmd(c.id()).exec().getSpec().getTaskTemplate()
          .getContainerSpec().getDnsConfig()).as("no resolver that answers nothing").isNull();
      hold.close();
      assertThat(c.await(DEADLINE)).map(ExitResult::exitCode).contains(0);
    }
  }

  @Test
  void aScriptPastItsMemoryLimitIsKilledAndSaidToBe() throws Exception {
    String script = "hog = []\nwhile True:\n    hog.append(bytearray(8 << 20))\n";
    Captured sink = new Captured();
    Path work = Files.createDirectories(dir.resolve("work-oom"));
    try (Container c = runtime.start(spec(script, work, new Limits(0, 64L << 20, 0, false),
        null), sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).contains(new ExitResult(137, true));
    }
  }

  @Test
  void removesTheServicesAndNetworksOfEndedProcesses() throws Exception {
    Owner self = Owner.current();
    Owner ended = new Owner(self.host(), self.pid(), self.started() == null
        ? java.time.Instant.EPOCH : self.started().minusSeconds(3600));
    assertThat(ended.isGoneFromThisMachine()).isTrue();
    Map<String, String> labels = new java.util.LinkedHashMap<>(ended.labels());
    labels.put(Leftovers.EXECUTION, "ended-run");
    labels.put("dev.rgrid.test", "swarm-leftover-" + ProcessHandle.current().pid());
    String network = engine.control().createNetworkCmd().withName("rgrid-test-leftover-"
        + ProcessHandle.current().pid() + "-" + counter++).withDriver("overlay").withInternal(true).withAttachable(true)
        .withLabels(labels).exec().getId();
    String spec = "{\"Name\":\"rgrid-test-leftover-" + ProcessHandle.current().pid() + "-"
        + counter++ + "\",\"Labels\":"
        + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(labels)
        + ",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + DockerTests.python().image()
        + "\",\"Command\":[\"python3\",\"-c\",\"import time; time.sleep(600)\"],"
        + "\"User\":\"65534:65534\",\"ReadOnly\":true},\"RestartPolicy\":{\"Condition\":\"none\"},"
        + "\"Networks\":[{\"Target\":\"" + network + "\"}]},"
        + "\"Mode\":{\"ReplicatedJob\":{\"MaxConcurrent\":1,\"TotalCompletions\":1}}}";
    engine.post("/services/create", spec.getBytes(StandardCharsets.UTF_8));
    List<Map<String, String>> offered = new CopyOnWriteArrayList<>();
    Captured recovered = new Captured();
    runtime.reapLeftovers(l -> {
      offered.add(l);
      return recovered;
    });
    assertThat(offered).extracting(l -> l.get(Leftovers.EXECUTION)).contains("ended-run");
    assertThat(recovered.closed.getCount()).isZero();
    Map<String, String> test = Map.of("dev.rgrid.test", "swarm-leftover-"
        + ProcessHandle.current().pid());
    OutputSink none = null;
    within(DEADLINE, () -> {
      // The network goes once the task's container has gone (a later sweep).
      runtime.reapLeftovers(l -> none);
      return new dev.rgrid.backend.docker.internal.swarm.SwarmLeftovers(engine).services(test)
          .isEmpty() && new dev.rgrid.backend.docker.internal.swarm.SwarmLeftovers(engine)
          .networks(test).isEmpty();
    });
  }

  @Test
  void aRunNetworkTheRelayStillHoldsGoesWithTheRuntime() {
    // As when the engine refused an attach but completed it later: the run's close could not
    // remove the network, the relay's removal frees it, the runtime's close removes it.
    String tag = "swarm-held-" + ProcessHandle.current().pid() + "-" + counter++;
    SwarmRuntime second = new SwarmRuntime(DockerTests.settings(), 1 << 20);
    String network;
    try {
      Map<String, String> labels = new java.util.LinkedHashMap<>(Owner.current().labels());
      labels.put("dev.rgrid.test", tag);
      labels.putAll(second.runtimeLabel());
      network = engine.control().createNetworkCmd().withName("rgrid-test-" + tag)
          .withDriver("overlay").withInternal(true).withAttachable(true).withLabels(labels)
          .exec().getId();
      engine.control().connectToNetworkCmd().withNetworkId(network)
          .withContainerId(second.relayId()).exec();
    } finally {
      second.close();
    }
    // The engine's own copy of a removed swarm network lingers a moment in its listing.
    within(DEADLINE, () -> new dev.rgrid.backend.docker.internal.swarm.SwarmLeftovers(engine)
        .networks(Map.of("dev.rgrid.test", tag)).isEmpty());
  }

  @Test
  void detachingTheRelayFromANetworkItNeverJoinedIsNothingToUndo() {
    // After a refused attach the run's close detaches anyway; Engine 20.10 answers that with a
    // 500 "is not connected", which used to skip the removal of the run's network.
    String tag = "swarm-unjoined-" + ProcessHandle.current().pid() + "-" + counter++;
    Map<String, String> labels = new java.util.LinkedHashMap<>(Owner.current().labels());
    labels.put("dev.rgrid.test", tag);
    String network = engine.control().createNetworkCmd().withName("rgrid-test-" + tag)
        .withDriver("overlay").withInternal(true).withAttachable(true).withLabels(labels)
        .exec().getId();
    try (var relay = dev.rgrid.backend.docker.internal.swarm.Relay.start(engine, Owner.current(),
        dev.rgrid.backend.docker.internal.RunAs.choose(DockerTests.settings().user()).user())) {
      relay.detach(network);
    } finally {
      engine.control().removeNetworkCmd(network).exec();
    }
  }
}
