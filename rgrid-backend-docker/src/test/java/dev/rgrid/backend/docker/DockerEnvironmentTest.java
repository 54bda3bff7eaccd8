package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.HostConfig;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.EnvironmentImages;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.backend.docker.internal.RunAs;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import dev.rgrid.spi.tck.Wheels;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Environments of the Docker runtime, built on the real engine from wheels in a local directory:
 * every build runs with {@code --no-index} and no network, so no test sends traffic anywhere.
 * Images and tags the tests create are removed afterwards.
 */
class DockerEnvironmentTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String INSTALLED = "Successfully installed rgrid-hello-1.0";
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final List<String> envImages = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> baseImages = Collections.synchronizedList(new ArrayList<>());

  @TempDir static Path shared;
  private static Path wheels;
  private static Path cache;
  private static DockerRuntime runtime;
  private static Engine engine;

  @TempDir Path dir;

  @BeforeAll
  static void open() throws Exception {
    wheels = shared.resolve("wheels");
    cache = shared.resolve("cache");
    Wheels.write(wheels, "rgrid-hello", "1.0");
    runtime = new DockerRuntime(DockerTests.settings());
    engine = Engine.connect(DockerTests.settings());
    runtime.prepare(DockerTests.python());
  }

  @AfterAll
  static void close() {
    try {
      runtime.close();
      // Environments first: an image built on a test base is its child.
      envImages.forEach(DockerEnvironmentTest::removeImage);
      baseImages.forEach(DockerEnvironmentTest::removeImage);
      engine.close();
    } finally {
      DockerTests.assertNoContainersOfThisJvm();
    }
  }

  @Test
  void buildsAnEnvironmentInALockedDownContainerAndRunsAScriptThatImportsItsPackage()
      throws Exception {
    String key = newKey();
    List<String> progress = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<InspectContainerResponse> build = new AtomicReference<>();
    EnvironmentSpec env = spec(key, List.of("rgrid-hello==1.0"), line -> {
      progress.add(line);
      if (build.get() == null) { // seen from the output thread while the build container runs
        buildContainers(key).stream().findFirst().ifPresent(id ->
            build.set(engine.control().inspectContainerCmd(id).exec()));
      }
    });

    RuntimeDefinition def = runtime.environment(DockerTests.python(), env);

    assertThat(def.image()).isEqualTo("rgrid-env/python3.11:" + key.substring(0, 32));
    assertThat(def.command()).containsExactly("/opt/rgrid-env/bin/python", "-u");
    assertThat(def.name()).isEqualTo("python3.11");
    assertThat(progress).contains(INSTALLED);

    InspectContainerResponse info = build.get();
    assertThat(info).as("the build container, inspected while it ran").isNotNull();
    HostConfig host = info.getHostConfig();
    assertThat(host.getNetworkMode()).isEqualTo("none");
    assertThat(host.getReadonlyRootfs()).isNotEqualTo(Boolean.TRUE);
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getPidsLimit()).isEqualTo(256L);
    assertThat(host.getMemory()).isEqualTo(1L << 30);
    assertThat(host.getMemorySwap()).isEqualTo(1L << 30);
    assertThat(info.getConfig().getUser()).isIn("", "0:0", null); // root: the base names none
    assertThat(info.getConfig().getLabels()).containsAllEntriesOf(Owner.current().labels())
        .containsEntry(EnvironmentImages.BUILD, "true");
    assertThat(info.getMounts()).extracting(m -> m.getDestination().getPath() + " "
        + m.getSource() + " " + m.getRW()).contains(
            "/rgrid-links/0 " + wheels.toRealPath() + " false")
        .anyMatch(m -> m.startsWith("/rgrid-req ") && m.endsWith(" false"));
    assertThat(String.join(" ", info.getConfig().getEntrypoint()))
        .contains("--find-links /rgrid-links/0 --no-index").doesNotContain("rgrid-hello");

    InspectImageResponse image = engine.control().inspectImageCmd(def.image()).exec();
    InspectImageResponse base = engine.control().inspectImageCmd("rgrid/python:3.11").exec();
    assertThat(image.getConfig().getLabels()).containsEntry(EnvironmentImages.KEY, key)
        .containsEntry(EnvironmentImages.BASE, base.getId())
        .containsEntry(EnvironmentImages.REQUIREMENTS, "rgrid-hello==1.0")
        .doesNotContainEntry(Owner.MANAGED, "true")
        .doesNotContainEntry(EnvironmentImages.BUILD, "true");
    assertSameConfig(image.getConfig(), base.getConfig());
    assertThat(runtime.identity(def)).isEqualTo("docker:" + image.getId());
    assertThat(runtime.identity(DockerTests.python())).isEqualTo("docker:" + base.getId());

    Captured out = run(def, "import os, sys, rgrid_hello\nprint(rgrid_hello.hello())\n"
        + "print(sys.prefix)\nprint(os.getuid())\n");
    String uid = RunAs.choose(null).user().split(":")[0];
    assertThat(out.out()).isEqualTo("hello from rgrid-hello 1.0\n/opt/rgrid-env\n" + uid + "\n");
    assertThat(buildContainers(key)).isEmpty();
  }

  @Test
  void reusesABuiltEnvironmentWithoutBuildingAgainInThisRuntimeOrAnother() throws Exception {
    String key = newKey();
    List<String> first = Collections.synchronizedList(new ArrayList<>());
    RuntimeDefinition def = runtime.environment(DockerTests.python(),
        spec(key, List.of("rgrid-hello==1.0"), first::add));
    assertThat(first).contains(INSTALLED);
    String id = engine.control().inspectImageCmd(def.image()).exec().getId();

    List<String> again = Collections.synchronizedList(new ArrayList<>());
    RuntimeDefinition reused = runtime.environment(DockerTests.python(),
        spec(key, List.of("rgrid-hello==1.0"), again::add));
    assertThat(reused).isEqualTo(def);
    // Nothing was built: no progress at all (the speed of a reuse is benchmarked, not tested).
    assertThat(again).as("progress of a reuse").isEmpty();

    try (DockerRuntime other = new DockerRuntime(DockerTests.settings())) {
      List<String> elsewhere = Collections.synchronizedList(new ArrayList<>());
      assertThat(other.environment(DockerTests.python(),
          spec(key, List.of("rgrid-hello==1.0"), elsewhere::add))).isEqualTo(def);
      assertThat(elsewhere).isEmpty();
      assertThat(other.identity(def)).isEqualTo("docker:" + id);
    }
    assertThat(engine.control().inspectImageCmd(def.image()).exec().getId()).isEqualTo(id);
  }

  @Test
  void buildsOnceWhenThreeThreadsAskForTheSameNewEnvironment() throws Exception {
    assertBuiltOnce(List.of(runtime, runtime, runtime));
  }

  @Test
  void buildsOnceWhenRuntimesSharingACacheDirectoryAskAtOnce() throws Exception {
    // Two runtimes stand for two processes: they share nothing but the engine and the lock file.
    try (DockerRuntime other = new DockerRuntime(DockerTests.settings())) {
      assertBuiltOnce(List.of(runtime, other));
    }
  }

  @Test
  void failsWithPipsOwnErrorAndLeavesNothingWhenAPackageDoesNotExist() {
    String key = newKey();
    List<String> progress = Collections.synchronizedList(new ArrayList<>());
    EnvironmentSpec env = spec(key, List.of("rgrid-hello==1.0", "rgrid-no-such-package==1.0"),
        progress::add);

    assertThatThrownBy(() -> runtime.environment(DockerTests.python(), env))
        .isInstanceOfSatisfying(DependencyInstallException.class, e -> {
          assertThat(e.getMessage()).contains("rgrid-no-such-package==1.0", "rgrid-hello==1.0",
              "python3.11", "pip exited with code 1");
          assertThat(e.errorLines()).isNotEmpty().hasSizeLessThanOrEqualTo(40)
              .anyMatch(l -> l.startsWith("ERROR:") && l.contains("rgrid-no-such-package"));
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("--find-links"));
        });
    assertThat(progress).anyMatch(l -> l.startsWith("ERROR:"));
    assertThat(buildContainers(key)).as("build containers left").isEmpty();
    assertThat(imageExists(EnvironmentImagesName.of(key))).isFalse();
  }

  @Test
  void identityFollowsARebuiltBaseImageAndTheEnvironmentIsRebuiltOnIt() throws Exception {
    String repository = "rgrid-test/base-" + RUN;
    String tag = repository + ":1";
    baseImages.add(tag);
    String pythonId = engine.control().inspectImageCmd("rgrid/python:3.11").exec().getId();
    engine.control().tagImageCmd("rgrid/python:3.11", repository, "1").exec();
    RuntimeDefinition base = new RuntimeDefinition("rgrid-test-base", tag,
        List.of("python3", "-u"), List.of(), ".py");
    runtime.prepare(base);
    assertThat(runtime.identity(base)).isEqualTo("docker:" + pythonId);

    String key = newKey();
    String envImage = "rgrid-env/rgrid-test-base:" + key.substring(0, 32);
    envImages.add(envImage);
    RuntimeDefinition first = runtime.environment(base, spec(key, List.of("rgrid-hello==1.0"),
        line -> { }));
    assertThat(first.image()).isEqualTo(envImage);
    String firstId = runtime.identity(first).substring("docker:".length());

    // A rebuilt base: another image (its own command, user and variables) under the same tag.
    String derived = derivedImage(repository, "1");
    baseImages.add(derived);
    assertThat(derived).isNotEqualTo(pythonId);
    runtime.prepare(base);
    assertThat(runtime.identity(base)).isEqualTo("docker:" + derived);

    List<String> progress = Collections.synchronizedList(new ArrayList<>());
    RuntimeDefinition second = runtime.environment(base, spec(key, List.of("rgrid-hello==1.0"),
        progress::add));
    assertThat(second).isEqualTo(first);
    assertThat(progress).as("rebuilt on the new base").contains(INSTALLED);
    InspectImageResponse rebuilt = engine.control().inspectImageCmd(envImage).exec();
    assertThat(rebuilt.getId()).isNotEqualTo(firstId);
    assertThat(runtime.identity(second)).isEqualTo("docker:" + rebuilt.getId());
    assertThat(rebuilt.getConfig().getLabels()).containsEntry(EnvironmentImages.BASE, derived);
    assertSameConfig(rebuilt.getConfig(),
        engine.control().inspectImageCmd(derived).exec().getConfig());
    assertThat(rebuilt.getConfig().getCmd()).containsExactly("python3", "-c", "print(42)");
    assertThat(rebuilt.getConfig().getUser()).as("built as root, committed as the base's user")
        .isEqualTo("65534:65534");
    assertThat(rebuilt.getConfig().getEnv()).contains("RGRID_TEST_BASE=1");
    assertThat(imageExists(firstId)).as("the environment built on the old base").isFalse();
    assertThat(run(second, "import rgrid_hello\nprint(rgrid_hello.VERSION)\n").out())
        .isEqualTo("1.0\n");
  }

  @Test
  void choosesTheBuildNetworkFromThePackageIndex() {
    assertThat(EnvironmentImages.network(PackageIndex.offline(List.of(Path.of("/w")))))
        .isEqualTo("none");
    assertThat(EnvironmentImages.network(PackageIndex.DEFAULT)).isEqualTo("bridge");
    assertThat(EnvironmentImages.network(index("https://pypi.org/simple"))).isEqualTo("bridge");
    assertThat(EnvironmentImages.network(index("http://127.0.0.1:3141/simple")))
        .isEqualTo("host");
    assertThat(EnvironmentImages.network(index("http://localhost:8080/simple")))
        .isEqualTo("host");
    assertThat(EnvironmentImages.network(index("http://[::1]:3141/simple"))).isEqualTo("host");
    assertThat(EnvironmentImages.network(index("http://127.example.com/simple")))
        .isEqualTo("bridge");
    assertThat(EnvironmentImages.network(new PackageIndex(URI.create("https://pypi.org/simple"),
        List.of(URI.create("http://u:p@127.0.0.2/simple")), List.of(), false)))
        .isEqualTo("host");
    assertThat(EnvironmentImages.network(new PackageIndex(
        URI.create("http://127.0.0.1/simple"), List.of(), List.of(Path.of("/w")), true)))
        .as("no index is consulted").isEqualTo("none");
  }

  private void assertBuiltOnce(List<DockerRuntime> callers) throws Exception {
    String key = newKey();
    List<List<String>> progress = new ArrayList<>();
    List<Future<RuntimeDefinition>> results = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers.size());
    try {
      for (DockerRuntime caller : callers) {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        progress.add(lines);
        results.add(pool.submit(() -> {
          go.await();
          return caller.environment(DockerTests.python(),
              spec(key, List.of("rgrid-hello==1.0"), lines::add));
        }));
      }
      go.countDown();
      List<RuntimeDefinition> defs = new ArrayList<>();
      for (Future<RuntimeDefinition> f : results) {
        defs.add(f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
      }
      assertThat(defs).allMatch(d -> d.equals(defs.get(0)));
      assertThat(progress.stream().flatMap(List::stream).filter(INSTALLED::equals))
          .as("pip runs").hasSize(1);
      assertThat(run(defs.get(0), "import rgrid_hello\nprint(rgrid_hello.hello())\n").out())
          .isEqualTo("hello from rgrid-hello 1.0\n");
    } finally {
      pool.shutdownNow();
    }
  }

  private Captured run(RuntimeDefinition def, String script) throws Exception {
    Path scriptDir = Files.createDirectories(dir.resolve("script-" + UUID.randomUUID()));
    Path workDir = Files.createDirectories(dir.resolve("work-" + UUID.randomUUID()));
    Files.writeString(scriptDir.resolve("main.py"), script);
    ContainerSpec spec = new ContainerSpec("exec_env-1", def, scriptDir, "main.py", workDir,
        List.of(), Map.of(), Limits.DEFAULT, Map.of("dev.rgrid.test", "environment"), null);
    Captured sink = new Captured();
    try (Container c = runtime.start(spec, sink)) {
      Optional<ExitResult> exit = c.await(DEADLINE);
      assertThat(exit).as("ended within %s", DEADLINE).isPresent();
      assertThat(exit.get().exitCode()).as("exit code; stderr: %s",
          sink.err.toString(StandardCharsets.UTF_8)).isZero();
    }
    return sink;
  }

  private static EnvironmentSpec spec(String key, List<String> requirements,
      java.util.function.Consumer<String> progress) {
    envImages.add(EnvironmentImagesName.of(key));
    return new EnvironmentSpec(key, requirements, PackageIndex.offline(List.of(wheels)), cache,
        progress);
  }

  /** A key no earlier run used. */
  private static String newKey() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(("rgrid-test-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ids of the build containers of {@code key}, running or not. */
  private static List<String> buildContainers(String key) {
    return engine.control().listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(EnvironmentImages.KEY, key)).exec().stream()
        .map(com.github.dockerjava.api.model.Container::getId).toList();
  }

  /**
   * Commits a never-started container of the python image as {@code repository:tag}: an image
   * with its own command, a non-root user and one more variable.
   */
  private static String derivedImage(String repository, String tag) {
    String container = engine.control().createContainerCmd("rgrid/python:3.11")
        .withCmd("python3", "-c", "print(42)").withUser("65534:65534")
        .withEnv("LANG=C.UTF-8", "RGRID_TEST_BASE=1").exec().getId();
    try {
      return engine.control().commitCmd(container).withRepository(repository).withTag(tag)
          .exec();
    } finally {
      engine.control().removeContainerCmd(container).withForce(true).exec();
    }
  }

  private static boolean imageExists(String image) {
    try {
      engine.control().inspectImageCmd(image).exec();
      return true;
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      return false;
    }
  }

  /** Removes a test image or tag, never by force: images RGrid's own tags share stay. */
  private static void removeImage(String image) {
    try {
      engine.control().removeImageCmd(image).exec();
    } catch (DockerException e) {
      // not there (a build that failed, an image removed already) or still in use
    }
  }

  private static PackageIndex index(String url) {
    return new PackageIndex(URI.create(url), List.of(), List.of(), false);
  }

  private static void assertSameConfig(ContainerConfig actual, ContainerConfig expected) {
    assertThat(list(actual.getEntrypoint())).as("entrypoint")
        .isEqualTo(list(expected.getEntrypoint()));
    assertThat(list(actual.getCmd())).as("cmd").isEqualTo(list(expected.getCmd()));
    assertThat(list(actual.getEnv())).as("env").isEqualTo(list(expected.getEnv()));
    assertThat(empty(actual.getUser())).as("user").isEqualTo(empty(expected.getUser()));
    assertThat(empty(actual.getWorkingDir())).as("working dir")
        .isEqualTo(empty(expected.getWorkingDir()));
  }

  private static List<String> list(String[] values) {
    return values == null ? List.of() : Arrays.asList(values);
  }

  private static String empty(String value) {
    return value == null ? "" : value;
  }

  /** The image name environments of the python3.11 runtime get. */
  private static final class EnvironmentImagesName {
    static String of(String key) {
      return "rgrid-env/python3.11:" + key.substring(0, 32);
    }
  }
}
