package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Estimates from the history of past runs. */
class EstimateTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void usesTheSameScriptsPastRunsElseTheRuntimesAndSaysSo() throws Exception {
    Path script = Files.writeString(src.resolve("job.py"), "import time\ntime.sleep(0.1)\n");
    Path other = Files.writeString(src.resolve("other.py"), "print(1)\n");
    for (int i = 0; i < 3; i++) {
      Files.writeString(src.resolve("in" + i + ".csv"), "x");
    }
    try (LocalRGrid rgrid = RGrid.builder().home(home).hourlyPrice(3_600_000L).build()) {
      Estimate none = rgrid.estimate(script, null, List.of(), src);
      assertThat(none.samples()).isZero();
      assertThat(none.costMicros()).isEmpty();
      assertThat(none.assumptions()).anySatisfy(a -> assertThat(a).contains("run it once"));

      rgrid.run(RunSpec.builder(other).build()).await(DEADLINE).orElseThrow();
      Estimate byRuntime = rgrid.estimate(script, null, List.of("*.csv"), src);
      assertThat(byRuntime.basis()).contains("no past run of job.py").contains("python3.11");
      assertThat(byRuntime.inputs()).isEqualTo(3);

      ExecutionRecord a = rgrid.run(RunSpec.builder(script).env("N", "1").build())
          .await(DEADLINE).orElseThrow();
      Estimate e = rgrid.estimate(script, null, List.of("*.csv"), src);
      assertThat(e.basis()).isEqualTo("1 past run of job.py");
      assertThat(e.medianRunTime()).contains(a.duration().orElseThrow());
      long each = (a.duration().orElseThrow().toNanos() + 999_999) / 1_000_000;
      assertThat(e.costMicros()).contains(3 * each);

      assertThatThrownBy(() -> rgrid.estimate(script, null, List.of("*.nothing"), src))
          .isInstanceOf(InvalidRunSpecException.class);
      assertThatThrownBy(() -> rgrid.estimate(src.resolve("missing.py"), null, List.of(), src))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("does not exist");
      assertThatThrownBy(() -> rgrid.estimate(script, "cobol", List.of(), src))
          .isInstanceOf(InvalidRunSpecException.class);
    }
  }
}
