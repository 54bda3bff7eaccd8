package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create + start + wait + remove of a trivial script through the runtime: the median of 20 is
 * printed for docs/benchmarks.md. A benchmark, not a test: runs only with -Drgrid.bench=true.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "rgrid.bench", matches = "true")
class DockerRuntimeTimingTest {
  private static final int RUNS = 20;

  @TempDir Path dir;

  @Test
  void measuresATrivialScriptEndToEnd() throws Exception {
    List<Long> millis = new ArrayList<>();
    try (DockerRuntime runtime = new DockerRuntime(DockerTests.settings())) {
      runtime.prepare(DockerTests.python());
      for (int i = 0; i <= RUNS; i++) {
        Path scriptDir = Files.createDirectories(dir.resolve("s" + i));
        Path workDir = Files.createDirectories(dir.resolve("w" + i));
        Files.writeString(scriptDir.resolve("main.py"), "print(1)\n");
        ContainerSpec spec = new ContainerSpec("timing-" + i, DockerTests.python(), scriptDir,
            "main.py", workDir, List.of(), Map.of(), Limits.DEFAULT, Map.of(), null);
        Captured sink = new Captured();
        long start = System.nanoTime();
        try (Container c = runtime.start(spec, sink)) {
          assertThat(c.await(Duration.ofSeconds(60))).isPresent();
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        assertThat(sink.out()).isEqualTo("1\n");
        if (i > 0) { // the first run warms up the JVM and the connection pool
          millis.add(took);
        }
      }
    }
    List<Long> sorted = millis.stream().sorted().toList();
    long median = (sorted.get(RUNS / 2 - 1) + sorted.get(RUNS / 2)) / 2;
    System.out.printf(Locale.ROOT, "docker runtime, create+start+wait+remove of print(1): "
        + "median %d ms, min %d ms, max %d ms over %d runs%n", median, sorted.get(0),
        sorted.get(RUNS - 1), RUNS);
  }
}
