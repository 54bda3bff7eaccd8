package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result cache through the library, on the process runtime: a run counts its real starts in
 * a file outside its working directory (the process runtime does not isolate), so a reuse that
 * started nothing is visible.
 */
class ResultCacheTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;
  private LocalRGrid rgrid;
  private Path counter;
  private Path script;
  private Path input;

  @BeforeEach
  void open() throws Exception {
    rgrid = RGrid.builder().home(home).build();
    counter = src.resolve("starts.log");
    script = Files.writeString(src.resolve("count.py"), String.join("\n",
        "import os, sys",
        "open(os.environ['COUNTER'], 'a').write('x')",
        "words = open(sys.argv[1]).read().split()",
        "open('result.txt', 'w').write(str(len(words)))",
        "print('words:', len(words))",
        "print('warning', file=sys.stderr)",
        ""));
    input = Files.writeString(src.resolve("in.txt"), "a b c");
  }

  @AfterEach
  void close() {
    rgrid.close();
  }

  private RunSpec.Builder spec() {
    return RunSpec.builder(script).args(input.toString()).env("COUNTER", counter.toString());
  }

  private ExecutionRecord run(RunSpec spec) throws Exception {
    return rgrid.run(spec).await(DEADLINE).orElseThrow();
  }

  private int starts() throws Exception {
    return Files.exists(counter) ? Files.readString(counter).length() : 0;
  }

  @Test
  void anIdenticalRunReusesTheResultWithoutStartingAnything() throws Exception {
    ExecutionRecord first = run(spec().build());
    assertThat(first.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(first.cached()).isFalse();
    assertThat(first.cacheKey()).hasSize(64);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Execution second = rgrid.run(spec().listener(new ExecutionListener() {
      @Override
      public void onOutput(LogStream stream, byte[] bytes) {
        if (stream == LogStream.STDOUT) {
          out.writeBytes(bytes);
        }
      }
    }).build());
    ExecutionRecord done = second.await(DEADLINE).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.cached()).isTrue();
    assertThat(done.cachedFrom()).isEqualTo(first.id());
    assertThat(done.id()).isNotEqualTo(first.id());
    assertThat(done.exitCode()).isZero();
    assertThat(starts()).as("the script ran once").isEqualTo(1);
    // Output, logs and outputs come back as if it had run.
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("words: 3\n");
    assertThat(second.logs()).extracting(LogLine::text).containsExactlyElementsOf(
        rgrid.logs(first.id(), 0, 100).stream().map(LogLine::text).toList());
    assertThat(second.outputs()).extracting(a -> a.path()).containsExactly("result.txt");
    Path downloaded = Files.createDirectories(src.resolve("dl"));
    second.downloadOutputs(downloaded);
    assertThat(downloaded.resolve("result.txt")).hasContent("3");
    assertThat(rgrid.cache().entries(10)).singleElement().satisfies(e -> {
      assertThat(e.executionId()).isEqualTo(first.id());
      assertThat(e.hits()).isEqualTo(1);
      assertThat(e.sizeBytes()).isPositive();
    });
  }

  @Test
  void anyChangeMisses() throws Exception {
    assertThat(run(spec().build()).cached()).isFalse();
    Files.writeString(input, "a b c d");
    assertThat(run(spec().build()).cached()).as("input content changed").isFalse();
    assertThat(run(spec().args("extra").build()).cached()).as("arguments changed").isFalse();
    assertThat(run(spec().env("MODE", "x").build()).cached()).as("environment changed")
        .isFalse();
    Files.writeString(script, Files.readString(script) + "# changed\n");
    assertThat(run(spec().build()).cached()).as("script changed").isFalse();
    assertThat(starts()).isEqualTo(5);
    assertThat(run(spec().build()).cached()).as("nothing changed since").isTrue();
    assertThat(starts()).isEqualTo(5);
  }

  @Test
  void noCacheBypassesAndFailuresAreNeverReused() throws Exception {
    run(spec().build());
    ExecutionRecord bypass = run(spec().cache(false).build());
    assertThat(bypass.cached()).isFalse();
    assertThat(starts()).isEqualTo(2);

    Path failing = Files.writeString(src.resolve("fail.py"),
        "import os\nopen(os.environ['COUNTER'], 'a').write('x')\nraise SystemExit(3)\n");
    RunSpec fail = RunSpec.builder(failing).env("COUNTER", counter.toString()).build();
    assertThat(run(fail).status()).isEqualTo(ExecutionStatus.FAILED);
    ExecutionRecord again = run(RunSpec.builder(failing).env("COUNTER", counter.toString())
        .build());
    assertThat(again.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(again.cached()).isFalse();
    assertThat(starts()).isEqualTo(4);
  }

  @Test
  void runsFedStdinAreNeverCached() throws Exception {
    RunSpec withStdin = spec().stdin(new ByteArrayInputStream("x".getBytes())).build();
    assertThat(run(withStdin).cacheKey()).isNull();
    assertThat(run(spec().stdin(new ByteArrayInputStream("x".getBytes())).build()).cached())
        .isFalse();
    assertThat(starts()).isEqualTo(2);
  }

  @Test
  void pruningEndsReuseButKeepsTheExecutions() throws Exception {
    ExecutionRecord first = run(spec().build());
    assertThat(rgrid.cache().prune(null, 0L).removed()).hasSize(1);
    assertThat(rgrid.cache().entries(10)).isEmpty();
    assertThat(rgrid.outputs(first.id())).hasSize(1);
    assertThat(run(spec().build()).cached()).isFalse();
    assertThat(rgrid.cache().prune(Duration.ofDays(1), null).removed()).isEmpty();
    assertThat(rgrid.cache().prune(Duration.ZERO, null).removed()).hasSize(1);
    assertThatThrownBy(() -> rgrid.cache().prune(Duration.ofSeconds(-1), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> rgrid.cache().entries(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clearingRemovesEveryEntryEvenOneOfZeroBytes() throws Exception {
    Path silent = Files.writeString(src.resolve("silent.py"), "pass\n");
    run(RunSpec.builder(silent).build());
    run(spec().build());
    assertThat(rgrid.cache().entries(10)).extracting(e -> e.sizeBytes()).contains(0L);
    // A size budget of nothing still fits an entry of nothing: only clearing removes it.
    assertThat(rgrid.cache().prune(null, 0L).kept()).isEqualTo(1);
    assertThat(rgrid.cache().clear().removed()).hasSize(1);
    assertThat(rgrid.cache().entries(10)).isEmpty();
    assertThat(rgrid.cache().clear().removed()).isEmpty();
  }

  @Test
  void aCacheHitOnAFreshInstanceOverTheSameStateWorks() throws Exception {
    ExecutionRecord first = run(spec().build());
    rgrid.close();
    rgrid = RGrid.builder().home(home).build();
    ExecutionRecord second = run(spec().build());
    assertThat(second.cachedFrom()).isEqualTo(first.id());
    assertThat(List.of(starts())).containsExactly(1);
  }
}
