package dev.rgrid.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each step's run options are checked with the pipeline, by the rules a run's submission
 * applies, so a bad value in a later step stops the pipeline before its first step is
 * submitted; a runtime the instance does not know is refused by the run, before any step is.
 */
class PipelineOptionsCheckTest {
  @TempDir static Path dir;
  private static LocalRGrid rgrid;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(dir.resolve("home")).engine("process").workers(1).build();
    for (String name : List.of("a.py", "b.py", "c.py")) {
      Files.writeString(dir.resolve(name), "print('" + name + "')\n");
    }
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static int stored() {
    return rgrid.list(ExecutionQuery.latest(1000)).items().size();
  }

  @Test
  void aBadRunOptionInTheThirdStepIsRefusedWithTheFileSubmittingNothing() {
    int before = stored();
    Step.Builder[] bad = {
        Step.builder("c", Path.of("c.py")).resources(new Resources(0, 0,
            List.of("node.labels.zone=eu"))),
        Step.builder("c", Path.of("c.py")).resources(new Resources(0, 1L << 20, List.of())),
        Step.builder("c", Path.of("c.py")).resources(new Resources(0, 2L << 40, List.of())),
        Step.builder("c", Path.of("c.py")).timeout(Duration.ofDays(30)),
        Step.builder("c", Path.of("c.py")).runtime("bad\nname")};
    String[][] said = {{"step c: placement constraint 'node.labels.zone=eu'", "is not"},
        {"step c: memory limit", "below the minimum"}, {"step c: memory limit", "is more than"},
        {"step c: timeout", "longer than the maximum"}, {"step c: runtime name", "contains"}};
    for (int i = 0; i < bad.length; i++) {
      Pipeline.Builder pipeline = Pipeline.builder().baseDirectory(dir)
          .step(Step.builder("a", Path.of("a.py")).build())
          .step(Step.builder("b", Path.of("b.py")).needs("a").build())
          .step(bad[i].needs("b").build());
      assertThatThrownBy(pipeline::build).isInstanceOf(InvalidRunSpecException.class)
          .hasMessageStartingWith(said[i][0]).hasMessageContaining(said[i][1]);
    }
    // Larger limits, given to the check, take what the defaults refuse.
    Pipeline.builder().baseDirectory(dir).limits(Limits.defaults().withResources(256_000,
        4L << 40)).step(Step.builder("c", Path.of("c.py"))
        .resources(new Resources(0, 2L << 40, List.of())).build()).build();
    // A runtime the instance does not know: refused by the run, before any step is submitted.
    Pipeline unknown = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).build())
        .step(Step.builder("b", Path.of("b.py")).needs("a").build())
        .step(Step.builder("c", Path.of("c.py")).needs("b").runtime("no-such-runtime").build())
        .build();
    assertThatThrownBy(() -> unknown.run(rgrid)).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("step c: unknown runtime 'no-such-runtime'");
    assertThat(stored()).as("nothing submitted").isEqualTo(before);
  }
}
