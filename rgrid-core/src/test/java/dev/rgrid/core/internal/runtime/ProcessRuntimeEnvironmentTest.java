package dev.rgrid.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import dev.rgrid.spi.tck.Wheels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtualenvs of the process runtime, built with real python3 and pip from local wheels only. */
class ProcessRuntimeEnvironmentTest {
  static final RuntimeDefinition PYTHON = new RuntimeDefinition("python3.11",
      "rgrid/python:3.11", List.of("python3", "-u"), List.of("python3.11", "python3"), ".py");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path wheels;
  private Path cache;
  private ProcessRuntime runtime;
  private final List<String> progress = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws IOException {
    wheels = dir.resolve("wheels");
    Wheels.write(wheels, "tiny-pkg", "1.0");
    Wheels.write(wheels, "other-pkg", "2.0");
    cache = dir.resolve("cache");
    runtime = new ProcessRuntime();
  }

  @AfterEach
  void tearDown() throws IOException {
    runtime.close();
    // Here, not by @TempDir: it warns about every link to the base interpreter.
    TmpDirs.deleteTree(cache);
  }

  @Test
  void buildsAVirtualenvInWhichScriptsImportTheRequirement() throws Exception {
    RuntimeDefinition env = runtime.environment(PYTHON, spec("tiny", "tiny-pkg==1.0"));

    Path venv = cache.resolve("venvs").resolve(key("tiny").substring(0, 32));
    Path python = venv.resolve("bin/python").toAbsolutePath();
    assertThat(env.command()).containsExactly(python.toString(), "-u");
    assertThat(env.hostInterpreters()).containsExactly(python.toString());
    assertThat(env.name()).isEqualTo(PYTHON.name());
    assertThat(env.image()).isEqualTo(PYTHON.image());
    assertThat(env.scriptSuffix()).isEqualTo(".py");
    assertThat(progress).anySatisfy(l -> assertThat(l).contains("Successfully installed",
        "tiny-pkg-1.0"));
    String marker = Files.readString(venv.resolve(VirtualEnvs.MARKER));
    assertThat(marker).contains(key("tiny"), "tiny-pkg==1.0");
    assertThat(buildDirs()).isEmpty();
    try (java.util.stream.Stream<Path> all = Files.walk(cache)) {
      assertThat(all.filter(p -> !Files.isSymbolicLink(p)).filter(p -> {
        try {
          return !Files.getPosixFilePermissions(p).stream()
              .allMatch(m -> m.name().startsWith("OWNER"));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList()).as("entries pip and Python wrote open to group or others").isEmpty();
    }

    Captured out = new Captured();
    assertThat(run(env, "import sys, tiny_pkg\nprint(tiny_pkg.hello())\nprint(sys.prefix)\n",
        out).exitCode()).as(out.err.toString()).isZero();
    assertThat(out.out.toString(StandardCharsets.UTF_8))
        .isEqualTo("hello from tiny-pkg 1.0\n" + venv.toAbsolutePath() + "\n");
    assertThat(run(PYTHON, "import tiny_pkg\n", new Captured()).exitCode())
        .as("the base interpreter does not see the package").isNotZero();
  }

  @Test
  void fixesTheScriptsInBinForTheDirectoryTheVirtualenvWasRenamedTo() throws Exception {
    Path python = Path.of(runtime.environment(PYTHON, spec("tiny", "tiny-pkg")).command().get(0));
    Path pip = python.resolveSibling("pip");
    assertThat(Files.readAllLines(pip).get(0)).startsWith("#!" + python.getParent());
    Process p = new ProcessBuilder(pip.toString(), "--version").redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).contains(python.getParent().getParent().toString());
  }

  @Test
  void reusesABuiltEnvironmentWithoutRunningPipAgain() throws Exception {
    RuntimeDefinition first = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    Path venv = Path.of(first.command().get(0)).getParent().getParent();
    Object inode = Files.getAttribute(venv, "unix:ino");
    Object markerTime = Files.getLastModifiedTime(venv.resolve(VirtualEnvs.MARKER));
    progress.clear();

    long started = System.nanoTime();
    RuntimeDefinition again = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    try (ProcessRuntime otherProcess = new ProcessRuntime()) {
      assertThat(otherProcess.environment(PYTHON, spec("tiny", "tiny-pkg"))).isEqualTo(first);
    }

    assertThat(again).isEqualTo(first);
    assertThat(progress).as("pip did not run").isEmpty();
    assertThat(Files.getAttribute(venv, "unix:ino")).isEqualTo(inode);
    assertThat(Files.getLastModifiedTime(venv.resolve(VirtualEnvs.MARKER))).isEqualTo(markerTime);
    assertThat(tookMillis).as("a reuse is a file check, not a build").isLessThan(1000);
  }

  @Test
  void givesDifferentKeysDifferentVirtualenvs() throws Exception {
    RuntimeDefinition tiny = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    RuntimeDefinition other = runtime.environment(PYTHON, spec("other", "other-pkg==2.0"));

    assertThat(other.command().get(0)).isNotEqualTo(tiny.command().get(0));
    assertThat(run(other, "import other_pkg\n", new Captured()).exitCode()).isZero();
    assertThat(run(other, "import tiny_pkg\n", new Captured()).exitCode()).isNotZero();
    assertThat(run(tiny, "import tiny_pkg\n", new Captured()).exitCode()).isZero();
  }

  @Test
  void buildsANewEnvironmentOnceForConcurrentCallersInTwoRuntimes() throws Exception {
    // Two runtimes stand for two processes: they share only the cache directory and its lock.
    try (ProcessRuntime second = new ProcessRuntime()) {
      ProcessRuntime[] runtimes = {runtime, runtime, second, second};
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(runtimes.length);
      try {
        List<Future<RuntimeDefinition>> results = new ArrayList<>();
        for (ProcessRuntime r : runtimes) {
          results.add(pool.submit(() -> {
            go.await();
            return r.environment(PYTHON, spec("shared", "tiny-pkg", "other-pkg"));
          }));
        }
        go.countDown();
        RuntimeDefinition expected = results.get(0).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        for (Future<RuntimeDefinition> f : results) {
          assertThat(f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(progress.stream().filter(l -> l.startsWith("Looking in links"))).hasSize(1);
    assertThat(progress.stream().filter(l -> l.startsWith("Successfully installed"))).hasSize(1);
  }

  @Test
  void reportsAnUnknownPackageWithPipsOwnErrorAndKeepsNothing() throws Exception {
    assertThatThrownBy(() -> runtime.environment(PYTHON, spec("nosuch", "nosuch-pkg")))
        .isInstanceOfSatisfying(DependencyInstallException.class, e -> {
          assertThat(e.getMessage()).contains("nosuch-pkg").doesNotContain("\n");
          assertThat(e.errorLines()).isNotEmpty().hasSizeLessThanOrEqualTo(40)
              .anySatisfy(l -> assertThat(l).startsWith("ERROR:").contains("nosuch-pkg"));
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("--index-url",
              "--find-links", wheels.toString()));
        });
    assertThat(cache.resolve("venvs").resolve(key("nosuch").substring(0, 32))).doesNotExist();
    assertThat(buildDirs()).isEmpty();
  }

  @Test
  void reportsAVersionThatDoesNotExist() {
    assertThatThrownBy(() -> runtime.environment(PYTHON, spec("v9", "tiny-pkg==9.9")))
        .isInstanceOfSatisfying(DependencyInstallException.class, e -> {
          assertThat(e.getMessage()).contains("tiny-pkg==9.9");
          assertThat(e.errorLines()).anySatisfy(l -> assertThat(l).contains("tiny-pkg==9.9"));
        });
    assertThat(cache.resolve("venvs").resolve(key("v9").substring(0, 32))).doesNotExist();
  }

  @Test
  void neverLetsAShellSeeARequirement() {
    Path pwned = dir.resolve("pwned");
    String hostile = "tiny-pkg==1.0 $(touch " + pwned + ") `touch " + pwned + "` | touch "
        + pwned + "; touch " + pwned;
    assertThatThrownBy(() -> runtime.environment(PYTHON, spec("hostile", hostile)))
        .isInstanceOf(DependencyInstallException.class);
    assertThat(pwned).doesNotExist();
  }

  @Test
  void refusesRequirementsPipWouldReadAsOptionsBeforeBuildingAnything() {
    for (String line : List.of("tiny-pkg --global-option=--evil", "tiny-pkg -r /etc/passwd",
        "tiny-pkg==${PIP_INDEX_URL}", "tiny-pkg \\", "tiny-pkg #1")) {
      assertThatThrownBy(() -> runtime.environment(PYTHON, spec("opt", line)))
          .as(line).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(line);
    }
    assertThat(cache).doesNotExist();
  }

  @Test
  void listsAtMostTenRequirementsInTheMessage() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      many.add("nosuch-" + i);
    }
    assertThatThrownBy(() -> runtime.environment(PYTHON, spec("many", many.toArray(String[]::new))))
        .isInstanceOfSatisfying(DependencyInstallException.class, e ->
            assertThat(e.getMessage()).contains("nosuch-9", "and 3 more")
                .doesNotContain("nosuch-12"));
  }

  @Test
  void rebuildsAfterTheCacheDirectoryWasDeleted() throws Exception {
    RuntimeDefinition first = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    TmpDirs.deleteTree(cache);
    progress.clear();

    RuntimeDefinition again = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));

    assertThat(again).isEqualTo(first);
    assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("Successfully installed"));
    assertThat(run(again, "import tiny_pkg\n", new Captured()).exitCode()).isZero();
  }

  @Test
  void rebuildsADirectoryWithoutMarkerAndRemovesAbandonedBuilds() throws Exception {
    Path venvs = cache.resolve("venvs");
    Path venv = venvs.resolve(key("tiny").substring(0, 32));
    Files.createDirectories(venv.resolve("bin"));
    Files.writeString(venv.resolve("bin/python"), "half-built");
    Path abandoned = Files.createDirectories(venvs.resolve(".build-" + venv.getFileName()
        + "-deadbeef/venv"));

    RuntimeDefinition env = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));

    assertThat(venv.resolve(VirtualEnvs.MARKER)).isRegularFile();
    assertThat(abandoned.getParent()).doesNotExist();
    assertThat(run(env, "import tiny_pkg\n", new Captured()).exitCode()).isZero();

    Files.delete(venv.resolve(VirtualEnvs.MARKER));
    progress.clear();
    runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("Successfully installed"));
    assertThat(venv.resolve(VirtualEnvs.MARKER)).isRegularFile();
  }

  @Test
  void rebuildsAnEnvironmentMadeOnAnotherInterpreter() throws Exception {
    RuntimeDefinition env = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    Path marker = Path.of(env.command().get(0)).getParent().resolveSibling(VirtualEnvs.MARKER);
    String identity = runtime.identity(env);
    Files.writeString(marker, Files.readString(marker).replaceFirst("\"interpreter\" : \"[^\"]*\"",
        "\"interpreter\" : \"/usr/bin/python2.7 2.7.18\""));
    progress.clear();

    runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));

    assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("Successfully installed"));
    assertThat(Files.readString(marker)).doesNotContain("python2.7");
    assertThat(runtime.identity(env)).as("a rebuilt environment has a new identity")
        .isNotEqualTo(identity);
  }

  @Test
  void anInterruptedBuildKeepsNothingAndTheNextCallBuildsIt() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> flagKept = new AtomicReference<>();
    Thread builder = new Thread(() -> {
      try {
        runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
      } catch (Throwable t) {
        failure.set(t);
        flagKept.set(Thread.currentThread().isInterrupted());
      }
    });
    builder.start();
    Thread.sleep(700); // creating the virtualenv alone takes seconds
    builder.interrupt();
    builder.join(DEADLINE.toMillis());

    assertThat(failure.get()).isInstanceOf(RGridException.class)
        .isNotInstanceOf(DependencyInstallException.class)
        .hasMessageContaining("interrupted");
    assertThat(flagKept.get()).isTrue();
    assertThat(buildDirs()).isEmpty();
    assertThat(cache.resolve("venvs").resolve(key("tiny").substring(0, 32))).doesNotExist();

    RuntimeDefinition env = runtime.environment(PYTHON, spec("tiny", "tiny-pkg"));
    assertThat(run(env, "import tiny_pkg\n", new Captured()).exitCode()).isZero();
  }

  private EnvironmentSpec spec(String name, String... requirements) {
    return new EnvironmentSpec(key(name), List.of(requirements),
        PackageIndex.offline(List.of(wheels)), cache, progress::add);
  }

  static String key(String name) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<Path> buildDirs() throws IOException {
    Path venvs = cache.resolve("venvs");
    if (!Files.isDirectory(venvs)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(venvs)) {
      return list.filter(p -> p.getFileName().toString().startsWith(".build-")).toList();
    }
  }

  private ExitResult run(RuntimeDefinition def, String code, Captured out) throws Exception {
    Path scripts = Files.createTempDirectory(dir, "script");
    Path work = Files.createTempDirectory(dir, "work");
    Files.writeString(scripts.resolve("main.py"), code);
    ContainerSpec spec = new ContainerSpec("env-test", def, scripts, "main.py", work, List.of(),
        Map.of(), null, Map.of(), null);
    try (Container c = runtime.start(spec, out)) {
      return c.await(DEADLINE).orElseThrow();
    }
  }
}
