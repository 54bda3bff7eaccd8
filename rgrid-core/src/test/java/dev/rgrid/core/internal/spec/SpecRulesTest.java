package dev.rgrid.core.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecRulesTest {
  private static final BlobKey SCRIPT = new BlobKey("a".repeat(64));
  private final SpecRules ceilingOnly = new SpecRules(Limits.defaults());

  /** A runtime that says it has {@code cpus} CPUs and counts how often it was asked. */
  private static final class Sized implements ContainerRuntime {
    final int cpus;
    final boolean places;
    final AtomicInteger asked = new AtomicInteger();

    Sized(int cpus) {
      this(cpus, false);
    }

    Sized(int cpus, boolean places) {
      this.cpus = cpus;
      this.places = places;
    }

    @Override
    public String name() {
      return "sized";
    }

    @Override
    public RuntimeCapabilities capabilities() {
      return new RuntimeCapabilities(true, true, true, places);
    }

    @Override
    public void prepare(RuntimeDefinition runtime) {}

    @Override
    public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Container start(ContainerSpec spec, OutputSink sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int cpus() {
      asked.incrementAndGet();
      return cpus;
    }
  }

  private static ExecutionSpec spec(String scriptName, List<String> args, Map<String, String> env,
      Map<String, String> labels, Resources resources) {
    return new ExecutionSpec(scriptName, SCRIPT, "python3.11", args, env, List.of(),
        Duration.ofMinutes(1), labels, null, resources, false);
  }

  private static ExecutionSpec withArgs(String... args) {
    return spec("job.py", List.of(args), Map.of(), Map.of(), Resources.DEFAULT);
  }

  private static ExecutionSpec withResources(long milliCpus, long memoryBytes) {
    return spec("job.py", List.of(), Map.of(), Map.of(), new Resources(milliCpus, memoryBytes));
  }

  @Test
  void cpusFromOneHundredthToTheCeilingAreAcceptedAndZeroMeansTheDefault() {
    for (long ok : new long[] {0, 10, 1000, 256_000}) {
      assertThatCode(() -> ceilingOnly.checkSpec(withResources(ok, 0))).as("%d", ok)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void cpusBelowOneHundredthAreRefusedNamingTheMinimum() {
    assertThatThrownBy(() -> ceilingOnly.checkSpec(withResources(9, 0)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("CPU limit 0.009 is below the minimum of 0.01")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValueSatisfying(
            h -> assertThat(h).contains("--cpus 0.01", "milliCpus 10")));
  }

  @Test
  void theLargestLongOfCpusIsRefusedExactlyWithoutOverflow() {
    assertThatThrownBy(() -> ceilingOnly.checkSpec(withResources(Long.MAX_VALUE, 0)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("CPU limit 9223372036854775.807 is more than the maximum of 256 CPUs")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValue(
            "ask for at most 256 CPUs (--cpus 256, milliCpus 256000)"));
    assertThatThrownBy(() -> ceilingOnly.checkSpec(withResources(256_001, 0)))
        .hasMessageContaining("256.001");
  }

  @Test
  void anInstanceThatRunsItsWorkRefusesMoreCpusThanItsRuntimeHas() {
    Sized two = new Sized(2);
    SpecRules rules = new SpecRules(Limits.defaults(), two);

    assertThatCode(() -> rules.checkSpec(withResources(2000, 0))).doesNotThrowAnyException();
    assertThatThrownBy(() -> rules.checkSpec(withResources(2001, 0)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("CPU limit 2.001 is more than the 2 CPUs the sized runtime has here")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValue(
            "ask for at most 2 CPUs (--cpus 2, milliCpus 2000)"));
    assertThat(two.asked).as("asked once, then known").hasValue(1);
  }

  @Test
  void theRuntimeIsNotAskedForARunWithoutACpuLimit() {
    Sized two = new Sized(2);

    new SpecRules(Limits.defaults(), two).checkSpec(withResources(0, 64L << 20));

    assertThat(two.asked).hasValue(0);
  }

  @Test
  void aRuntimeThatDoesNotKnowItsCpusLeavesTheCeiling() {
    SpecRules rules = new SpecRules(Limits.defaults(), new Sized(0));

    assertThatCode(() -> rules.checkSpec(withResources(256_000, 0))).doesNotThrowAnyException();
    assertThatThrownBy(() -> rules.checkSpec(withResources(256_001, 0)))
        .hasMessageContaining("maximum of 256 CPUs");
  }

  @Test
  void aConfiguredCeilingBelowTheRuntimesCpusWins() {
    SpecRules rules = new SpecRules(Limits.defaults().withResources(1500, 1L << 30),
        new Sized(64));

    assertThatThrownBy(() -> rules.checkSpec(withResources(1501, 0)))
        .hasMessage("CPU limit 1.501 is more than the maximum of 1.5 CPUs");
  }

  @Test
  void memoryFromSixMebibytesToTheCeilingIsAcceptedAndOutsideRefused() {
    assertThatCode(() -> ceilingOnly.checkSpec(withResources(0, 6L << 20)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ceilingOnly.checkSpec(withResources(0, 1L << 40)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> ceilingOnly.checkSpec(withResources(0, (6L << 20) - 1)))
        .hasMessage("memory limit 6291455 bytes is below the minimum of 6 MiB");
    assertThatThrownBy(() -> ceilingOnly.checkSpec(withResources(0, Long.MAX_VALUE)))
        .hasMessage("memory limit 9223372036854775807 bytes is more than the maximum of 1 TiB");
  }

  @Test
  void aTimeoutAboveTheMaximumIsRefusedNamingBoth() {
    ExecutionSpec eightDays = new ExecutionSpec("job.py", SCRIPT, "python3.11", List.of(),
        Map.of(), List.of(), Duration.ofDays(8), Map.of(), null, Resources.DEFAULT, false);
    ExecutionSpec huge = new ExecutionSpec("job.py", SCRIPT, "python3.11", List.of(),
        Map.of(), List.of(), Duration.ofSeconds(Long.MAX_VALUE), Map.of(), null,
        Resources.DEFAULT, false);

    assertThatThrownBy(() -> ceilingOnly.checkSpec(eightDays))
        .hasMessage("timeout 8d is longer than the maximum of 7d");
    assertThatThrownBy(() -> ceilingOnly.checkSpec(huge))
        .hasMessageContaining("longer than the maximum of 7d");
    assertThatCode(() -> ceilingOnly.checkTimeout(Duration.ofDays(7)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> ceilingOnly.checkTimeout(Duration.ZERO))
        .hasMessageContaining("not positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u202Etxt.exe", "a\u202Ab.py", "a\u202Db.py", "a\u2066b.py",
      "a\u2069b.py", "a\u200Eb.py", "a\u200Fb.py", "a\u061Cb.py", "a\nb.py", "a\u0000b.py",
      "a\u007Fb.py", "a\u0085b.py", "a\u2028b.py", "a\uD800b.py"})
  void scriptNamesThatWouldShowAsSomethingElseAreRefusedNamingTheCharacter(String name) {
    int bad = Texts.firstUnsafe(name);

    assertThatThrownBy(() -> ceilingOnly.checkSpec(spec(name, List.of(), Map.of(), Map.of(),
        Resources.DEFAULT)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("script name")
        .hasMessageContaining(String.format("U+%04X", bad))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(
            new String(Character.toChars(bad))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ".", "..", "a/b.py", "..\\b.py"})
  void scriptNamesThatAreNotOneFileNameAreRefused(String name) {
    assertThatThrownBy(() -> SpecRules.checkScriptName(name))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("script name");
  }

  @Test
  void scriptNamesAreBoundedAndMayBeAnyVisibleText() {
    assertThatCode(() -> SpecRules.checkScriptName("x".repeat(252) + ".py"))
        .doesNotThrowAnyException();
    assertThatCode(() -> SpecRules.checkScriptName("données-été 数据 🚀.py"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> SpecRules.checkScriptName("x".repeat(253) + ".py"))
        .hasMessageContaining("256 characters long, more than the maximum of 255");
  }

  @Test
  void runtimeNamesAreBoundedAndPlain() {
    assertThatThrownBy(() -> SpecRules.checkRuntimeName("python\u202E3"))
        .hasMessageContaining("runtime name").hasMessageContaining("U+202E");
    assertThatThrownBy(() -> SpecRules.checkRuntimeName("p".repeat(65)))
        .hasMessageContaining("more than the maximum of 64");
  }

  @Test
  void labelValuesMayNotHoldControlOrBidiCharactersAndAreBounded() {
    assertThatThrownBy(() -> SpecRules.checkLabels(Map.of("team", "ops\u202Eved")))
        .hasMessageContaining("label team").hasMessageContaining("U+202E");
    assertThatThrownBy(() -> SpecRules.checkLabels(Map.of("team", "a\tb")))
        .hasMessageContaining("U+0009");
    assertThatThrownBy(() -> SpecRules.checkLabels(Map.of("team", "x".repeat(257))))
        .hasMessageContaining("more than the maximum of 256");
    assertThatThrownBy(() -> SpecRules.checkLabels(Map.of("te am", "x")))
        .hasMessageContaining("invalid label key");
    assertThatCode(() -> SpecRules.checkLabels(Map.of("team", "x".repeat(256),
        "rgrid.account", "acct"))).doesNotThrowAnyException();
  }

  @Test
  void aUsersRunMayNotSetRGridsOwnLabels() {
    RunSpec run = RunSpec.builder(Path.of("job.py")).label("rgrid.account", "x").build();

    assertThatThrownBy(() -> ceilingOnly.checkRun(run)).hasMessageContaining("reserved");
  }

  @Test
  void aRunIsCheckedBeforeItsFilesAreRead() {
    RunSpec run = RunSpec.builder(Path.of("does-not-exist.py")).args("a\0b")
        .resources(new Resources(Long.MAX_VALUE, 0)).build();

    assertThatThrownBy(() -> ceilingOnly.checkRun(run)).hasMessage(
        "argument 1 contains a NUL character");
  }

  @Test
  void argumentsMayHoldNewlinesTabsAndAnyUnicode() {
    assertThatCode(() -> ceilingOnly.checkSpec(withArgs("line 1\nline 2", "a\tb", "\u202E",
        "🚀"))).doesNotThrowAnyException();
  }

  @Test
  void tooManyInputFilesAreRefused() {
    SpecRules rules = new SpecRules(Limits.defaults());
    List<dev.rgrid.spi.store.InputFile> many = java.util.stream.IntStream.range(0, 10_001)
        .mapToObj(i -> new dev.rgrid.spi.store.InputFile("f" + i, SCRIPT, 1)).toList();
    ExecutionSpec spec = new ExecutionSpec("job.py", SCRIPT, "python3.11", List.of(), Map.of(),
        many, Duration.ofMinutes(1), Map.of(), null, Resources.DEFAULT, false);

    assertThatThrownBy(() -> rules.checkSpec(spec))
        .hasMessage("10001 input files are more than the maximum of 10000");
  }

  private static Resources placed(String... constraints) {
    return new Resources(0, 0, List.of(constraints));
  }

  @Test
  void acceptsPlacementConstraintsInTheSwarmsForm() {
    Resources r = placed("node.labels.gpu==true", "engine.labels.zone!=eu-1", "node.role==worker",
        "node.hostname==box-1.example", "node.platform.arch==x86_64", "node.id!=8n5gvel6in20");
    assertThatCode(() -> ceilingOnly.checkSpec(spec("job.py", List.of(), Map.of(), Map.of(), r)))
        .doesNotThrowAnyException();
    assertThatCode(() -> new SpecRules(Limits.defaults(), new Sized(4, true)).checkResources(r))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "gpu==true", "node.labels.gpu = true", "node.labels.gpu=true",
      "node.labels.gpu===true", "node.labels.gpu==true;rm -rf /", "node.labels.gpu==tr\u202eue",
      "node.labels.gpu==\n", "node.labels.==x", "node.labels.gpu==", "node.role==admin",
      "node.cpus==4", "engine.hostname==x", "node.labels.gpu==t\u00fcr", "node.labels.gpu==$(id)"})
  void refusesMalformedAndHostilePlacementConstraints(String constraint) {
    assertThatThrownBy(() -> ceilingOnly.checkResources(placed(constraint)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("placement constraint")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValueSatisfying(
            h -> assertThat(h).contains("--constraint")));
  }

  @Test
  void refusesTooManyOrTooLongPlacementConstraints() {
    String[] many = new String[Constraints.MAX_COUNT + 1];
    java.util.Arrays.fill(many, "node.labels.gpu==true");
    assertThatThrownBy(() -> ceilingOnly.checkResources(placed(many)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("17 placement constraints are more than the maximum of 16");
    String huge = "node.labels." + "k".repeat(100) + "==" + "v".repeat(1 << 20);
    assertThatThrownBy(() -> ceilingOnly.checkResources(placed(huge)))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("characters long, more than the maximum of 256")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void refusesPlacementConstraintsWhereItsRuntimeRunsEverythingHere() {
    assertThatThrownBy(() -> new SpecRules(Limits.defaults(), new Sized(4))
        .checkResources(placed("node.labels.gpu==true")))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("placement constraints need a runtime that places runs on a cluster's "
            + "nodes; the sized runtime runs everything here")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValue(
            "drop --constraint, or run on --engine swarm"));
  }
}
