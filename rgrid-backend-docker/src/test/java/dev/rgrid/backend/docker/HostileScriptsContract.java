package dev.rgrid.backend.docker;

import static dev.rgrid.backend.docker.DockerTests.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile scripts run through the whole engine ({@link RGrid} on the runtime a subclass gives, one
 * runtime for the class): each one is contained and ends with a clear status. Network isolation
 * is proven from inside the container only; no test sends traffic anywhere.
 *
 * <p>A subclass names the cases that do not apply to its runtime, each with its reason ({@link
 * #notHere()}), and says where its runtime differs by design (the hooks below); every other case
 * runs as written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileScriptsContract {
  static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private ContainerRuntime runtime;

  Path home;
  Path src;
  RGrid rgrid;

  /** The runtime under test, made once for the class. */
  protected abstract ContainerRuntime newRuntime();

  /** Fails when the runtime left anything of this execution on the engine (polling). */
  protected abstract void assertNothingLeftFor(ExecutionRecord done);

  /** Fails when anything of this JVM is left on the engine, once the runtime is closed. */
  protected abstract void assertNothingLeft();

  /** The cases (test method names) that do not run on this runtime, each with its reason. */
  protected Map<String, String> notHere() {
    return Map.of();
  }

  /** The directories a script cannot write in because the root file system is read-only. */
  protected List<String> readOnlyDirectories() {
    return List.of("/", "/etc", "/usr", "/var", "/home", "/rgrid");
  }

  /** The script's bounding set of capabilities, as {@code /proc/self/status} shows it. */
  protected String boundingCapabilities() {
    return "0000000000000000";
  }

  @BeforeAll
  void openRuntime() throws NoSuchMethodException {
    for (String name : notHere().keySet()) {
      // A renamed case must not leave a stale entry that skips nothing.
      assertThat(HostileScriptsContract.class.getDeclaredMethod(name)
          .isAnnotationPresent(Test.class)).as("%s is a case of the contract", name).isTrue();
    }
    runtime = newRuntime();
  }

  @AfterAll
  void closeRuntime() {
    if (runtime != null) {
      runtime.close();
    }
    assertNothingLeft();
  }

  @BeforeEach
  void open(TestInfo test, @TempDir Path home, @TempDir Path src) {
    String why = notHere().get(test.getTestMethod().orElseThrow().getName());
    Assumptions.assumeTrue(why == null, why);
    this.home = home;
    this.src = src;
    rgrid = RGrid.builder().home(home).runtime(runtime).build();
  }

  @AfterEach
  void close() {
    if (rgrid != null) {
      rgrid.close();
      rgrid = null;
    }
  }

  Path script(String name, String code) throws Exception {
    return Files.writeString(src.resolve(name), code);
  }

  ExecutionRecord run(RunSpec spec) throws Exception {
    return rgrid.run(spec).await(DEADLINE).orElseThrow();
  }

  /** The one log line the script printed, as JSON. */
  static JsonNode printedJson(Execution e) throws Exception {
    List<String> lines = e.logs().stream().filter(l -> l.stream() == LogStream.STDOUT)
        .map(LogLine::text).toList();
    assertThat(lines).as("stdout of %s (all logs: %s)", e.id(), e.logs()).hasSize(1);
    return JSON.readTree(lines.get(0));
  }

  @Test
  void aScriptSeesOnlyLoopbackHasNoRouteAndCannotResolveNames() throws Exception {
    // Resolution is only tried once the script has seen that no interface but lo exists and no
    // route leads anywhere: even a broken isolation could then not send a query out.
    Path s = script("egress.py", "import json, os, socket\n"
        + "ifaces = sorted(os.listdir('/sys/class/net'))\n"
        + "routes = [l.split() for l in open('/proc/net/route').read().splitlines()[1:] if l.strip()]\n"
        + "out = {'interfaces': ifaces, 'routes': len(routes),\n"
        + "       'default': sum(1 for r in routes if r[1] == '00000000')}\n"
        + "if ifaces == ['lo'] and not routes:\n"
        + "    try:\n"
        + "        socket.getaddrinfo('registry-1.docker.io', 443)\n"
        + "        out['resolved'] = True\n"
        + "    except OSError as e:\n"
        + "        out['resolved'] = False\n"
        + "        out['error'] = type(e).__name__\n"
        + "print(json.dumps(out))\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode seen = printedJson(e);
    assertThat(seen.get("interfaces").toString()).isEqualTo("[\"lo\"]");
    assertThat(seen.get("routes").asInt()).isZero();
    assertThat(seen.get("default").asInt()).isZero();
    assertThat(seen.get("resolved").asBoolean(true)).as("name resolution failed: %s", seen)
        .isFalse();
  }

  @Test
  void aRunThatAsksForTheNetworkGetsAnInterfaceAndADefaultRoute() throws Exception {
    // Looked at from inside only: no traffic is sent.
    Path s = script("net.py", "import json, os\n"
        + "routes = [l.split() for l in open('/proc/net/route').read().splitlines()[1:] if l.strip()]\n"
        + "print(json.dumps({'interfaces': sorted(os.listdir('/sys/class/net')),\n"
        + "    'default': sum(1 for r in routes if r[1] == '00000000')}))\n");
    Execution e = rgrid.run(RunSpec.builder(s).network(true).build());
    assertThat(e.await(DEADLINE).orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode seen = printedJson(e);
    assertThat(seen.get("interfaces").toString()).contains("\"lo\"").isNotEqualTo("[\"lo\"]");
    assertThat(seen.get("default").asInt()).isPositive();
  }

  @Test
  void writingOutsideWorkFailsAndTmpIsSmallAndNotExecutable() throws Exception {
    Path s = script("escape.py", "import json, os, shutil, subprocess\n"
        + "out = {}\n"
        + "for d in " + JSON.writeValueAsString(readOnlyDirectories()) + ":\n"
        + "    try:\n"
        + "        open(os.path.join(d, 'rgrid-escape'), 'w').write('x')\n"
        + "        out[d] = 'written'\n"
        + "    except OSError as e:\n"
        + "        out[d] = e.strerror\n"
        + "open('/tmp/small', 'w').write('ok')\n"
        + "out['tmp'] = open('/tmp/small').read()\n"
        + "try:\n"
        + "    with open('/tmp/big', 'wb') as f:\n"
        + "        for i in range(200):\n"
        + "            f.write(b'\\0' * (1 << 20))\n"
        + "    out['tmp-big'] = 'written'\n"
        + "except OSError as e:\n"
        + "    out['tmp-big'] = e.strerror\n"
        + "os.remove('/tmp/big')\n"
        + "shutil.copy('/bin/true', '/tmp/true')\n"
        + "os.chmod('/tmp/true', 0o755)\n"
        + "try:\n"
        + "    subprocess.run(['/tmp/true'])\n"
        + "    out['tmp-exec'] = 'ran'\n"
        + "except OSError as e:\n"
        + "    out['tmp-exec'] = e.strerror\n"
        + "open('/work/inside.txt', 'w').write('fine')\n"
        + "print(json.dumps(out))\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode seen = printedJson(e);
    for (String dir : readOnlyDirectories()) {
      // EROFS, not merely EACCES: the root file system itself is read-only, whatever the user.
      assertThat(seen.get(dir).asText()).as("writing in %s", dir)
          .isEqualTo("Read-only file system");
    }
    assertThat(seen.get("tmp").asText()).isEqualTo("ok");
    assertThat(seen.get("tmp-big").asText()).isEqualTo("No space left on device");
    assertThat(seen.get("tmp-exec").asText()).isEqualTo("Permission denied");
    assertThat(e.outputs()).extracting(Artifact::path).containsExactly("inside.txt");
  }

  @Test
  void theScriptRunsAsANonRootUserWithoutCapabilitiesOrNewPrivileges() throws Exception {
    Path s = script("who.py", "import json, os\n"
        + "st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)\n"
        + "out = {k: st[k].strip() for k in ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb', 'NoNewPrivs']}\n"
        + "out['uid'] = os.getuid(); out['euid'] = os.geteuid(); out['gid'] = os.getgid()\n"
        + "try:\n"
        + "    os.setuid(0)\n"
        + "    out['setuid'] = 'became root'\n"
        + "except OSError as e:\n"
        + "    out['setuid'] = e.strerror\n"
        + "print(json.dumps(out))\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    assertThat(e.await(DEADLINE).orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode seen = printedJson(e);
    assertThat(seen.get("uid").asInt()).isNotZero();
    assertThat(seen.get("euid").asInt()).isNotZero();
    assertThat(seen.get("gid").asInt()).isNotZero();
    for (String cap : List.of("CapEff", "CapPrm", "CapAmb")) {
      assertThat(seen.get(cap).asText()).as(cap).isEqualTo("0000000000000000");
    }
    assertThat(seen.get("CapBnd").asText()).as("CapBnd").isEqualTo(boundingCapabilities());
    assertThat(seen.get("NoNewPrivs").asText()).isEqualTo("1");
    assertThat(seen.get("setuid").asText()).isEqualTo("Operation not permitted");
  }

  @Test
  void aSymlinkToAHostFileAmongTheOutputsIsNotCollected() throws Exception {
    Path secret = Files.writeString(src.resolve("secret.txt"), "host secret");
    Path s = script("links.py", "import os\n"
        + "os.symlink(os.environ['SECRET'], 'stolen.txt')\n"
        + "os.symlink('/etc/passwd', 'passwd')\n"
        + "os.symlink('/', 'root')\n"
        + "open('real.txt', 'w').write('ok')\n");
    Execution e = rgrid.run(RunSpec.builder(s).env("SECRET", secret.toString()).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.outputs()).extracting(Artifact::path).containsExactly("real.txt");
    assertThat(secret).hasContent("host secret");
  }

  @Test
  void aForkBombStopsAtThePidsLimitAndTheRunEnds() throws Exception {
    // Bounded: children sleep, the parent forks at most 5,000 times and reports the first refusal.
    Path s = script("forkbomb.py", "import os, sys, time\n"
        + "n = 0\n"
        + "try:\n"
        + "    for _ in range(5000):\n"
        + "        if os.fork() == 0:\n"
        + "            time.sleep(600)\n"
        + "            os._exit(0)\n"
        + "        n += 1\n"
        + "except OSError as e:\n"
        + "    print(f'fork refused after {n} children: {e.strerror}', flush=True)\n"
        + "    sys.exit(3)\n"
        + "print(f'forked {n} children without any limit')\n");
    Execution e = rgrid.run(RunSpec.builder(s).timeout(Duration.ofSeconds(60)).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).as("%s", e.logs()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.SCRIPT_EXIT);
    assertThat(done.exitCode()).isEqualTo(3);
    String line = e.logs().get(0).text();
    assertThat(line).startsWith("fork refused after ").endsWith("Resource temporarily unavailable");
    int children = Integer.parseInt(line.replaceAll("\\D+", " ").trim().split(" ")[0]);
    assertThat(children).isLessThan((int) DockerSettings.defaults().pidsLimit());
    assertNothingLeftFor(done);
  }

  @Test
  void aMemoryHogEndsAsOutOfMemory() throws Exception {
    Path s = script("hog.py", "chunks = []\n"
        + "for i in range(1000):\n"
        + "    chunks.append(b'\\x01' * (8 << 20))\n"
        + "    print(f'{(i + 1) * 8} MiB', flush=True)\n");
    ExecutionRecord done = run(RunSpec.builder(s).resources(new Resources(0, 64L << 20)).build());
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.OUT_OF_MEMORY);
    assertThat(done.exitCode()).isEqualTo(137);
    assertNothingLeftFor(done);
  }

  @Test
  void anInfiniteLoopEndsAsTimedOut() throws Exception {
    Path s = script("spin.py", "print('spinning', flush=True)\nwhile True:\n    pass\n");
    ExecutionRecord done = run(RunSpec.builder(s).timeout(Duration.ofSeconds(2)).build());
    assertThat(done.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.TIMEOUT);
    assertNothingLeftFor(done);
  }

  @Test
  void aSleepingScriptIsCancelled() throws Exception {
    Path s = script("sleep.py", "import time\nprint('asleep', flush=True)\ntime.sleep(600)\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    within(Duration.ofSeconds(60), () -> !e.logs().isEmpty());
    assertThat(e.cancel()).isTrue();
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.CANCELLED);
    assertNothingLeftFor(done);
  }

  @Test
  void a100MegabyteFloodOfStdoutIsCappedInTheStoredLogWithoutBlockingTheScript()
      throws Exception {
    Path s = script("flood.py", "import sys\n"
        + "chunk = (b'y' * 99 + b'\\n') * 10000\n"
        + "for i in range(100):\n"
        + "    sys.stdout.buffer.write(chunk)\n"
        + "sys.stdout.flush()\n"
        + "sys.exit(0)\n");
    Execution e = rgrid.run(RunSpec.builder(s).timeout(Duration.ofSeconds(100)).build());
    ExecutionRecord done = e.await(DEADLINE).orElseThrow();
    assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.logTruncated()).isTrue();
    List<LogLine> logs = e.logs();
    LogLine last = logs.get(logs.size() - 1);
    assertThat(last.stream()).isEqualTo(LogStream.SYSTEM);
    assertThat(last.text()).startsWith("[rgrid] log truncated");
    assertThat(logs.size()).isLessThan(1_000_000);
  }

  @Test
  void tenThousandOutputFilesHitTheLimitWithAClearError() throws Exception {
    Path s = script("many.py", "for i in range(10000):\n"
        + "    open(f'f{i}.txt', 'w').write(str(i))\n");
    ExecutionRecord done = run(RunSpec.builder(s).build());
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.failure().kind()).isEqualTo(FailureKind.OUTPUT_LIMIT);
    assertThat(done.failure().message()).contains("5000").contains("output files");
    assertThat(done.failure().hint()).isNotBlank();
    assertThat(rgrid.outputs(done.id())).isEmpty();
  }
}
