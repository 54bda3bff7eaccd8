package dev.rgrid.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch step fanned out from a single-run step's outputs, in the same pipeline submission:
 * stored at once, its runs made when that run ends; a single run waiting for it takes the
 * outputs of all of them (produce, then a run per file, then reduce); a batch step fed by it run
 * for run is refused before anything is stored, since its runs are not known when the pipeline
 * is submitted.
 */
class PipelineFanOutTest {
  @TempDir static Path dir;
  private static LocalRGrid rgrid;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(dir.resolve("home")).engine("process").workers(2).build();
    write("produce.py", "import os", "os.makedirs('parts', exist_ok=True)",
        "for i in range(3):", "    open('parts/p%d.txt' % i, 'w').write(str(i + 1))");
    write("square.py", "import sys",
        "n = int(open(sys.argv[1]).read())", "open('sq.txt', 'w').write(str(n * n))");
    write("sum.py", "import glob",
        "total = sum(int(open(p).read()) for p in glob.glob('**/sq.txt', recursive=True))",
        "open('total.txt', 'w').write(str(total))");
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static void write(String name, String... lines) throws IOException {
    Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  @Test
  void aBatchStepFansOutFromTheOutputsOfASingleRunStep() throws Exception {
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("square", Path.of("square.py")).args("{}")
            .batch("produce:parts/*.txt").parallel(2).build())
        .step(Step.builder("produce", Path.of("produce.py")).build())
        .build();
    assertThat(pipeline.steps()).extracting(Step::name).containsExactly("produce", "square");

    PipelineStatus done = pipeline.run(rgrid).await();

    StepState square = done.step("square").orElseThrow();
    assertThat(square.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    // Its runs, not the run that stood for the batch until its parent ended.
    assertThat(square.runs()).hasSize(3).allSatisfy(r -> assertThat(r.spec().parents())
        .singleElement().satisfies(l -> assertThat(l.item()).isTrue()));
    List<String> squares = square.runs().stream().map(ExecutionRecord::id)
        .map(id -> rgrid.outputs(id).get(0).path()).toList();
    assertThat(squares).containsOnly("sq.txt");
    Path out = Files.createTempDirectory(dir, "out");
    rgrid.downloadBatch(dev.rgrid.spi.BatchId.of(square.batchId()), out, false);
    assertThat(out.resolve("p2.txt/sq.txt")).hasContent("9");

    // A batch fed by it run for run would have one run for the template: refused, nothing
    // stored.
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("produce", Path.of("produce.py")).build())
        .step(Step.builder("square", Path.of("square.py")).args("{}")
            .batch("produce:parts/*.txt").build())
        .step(Step.builder("again", Path.of("square.py")).args("{}")
            .batch("square:sq.txt").build())
        .build()).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("step again: cannot be fed by square yet")
        .hasMessageContaining("fans out from the single run of produce");
  }

  @Test
  void produceThenARunPerFileThenReduce() throws Exception {
    // The shape: one run makes the files, a run per file, one run takes all their
    // outputs. The reduce step waits for a batch whose runs are made only when produce ends:
    // it is handed over to them then, and starts after the last.
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("produce", Path.of("produce.py")).build())
        .step(Step.builder("square", Path.of("square.py")).args("{}")
            .batch("produce:parts/*.txt").parallel(2).build())
        .step(Step.builder("sum", Path.of("sum.py")).input("square:**/sq.txt").build())
        .build();

    PipelineStatus done = pipeline.run(rgrid).await();

    assertThat(done.steps()).extracting(StepState::status).containsOnly(
        ExecutionStatus.SUCCEEDED);
    StepState sum = done.step("sum").orElseThrow();
    ExecutionRecord reduce = sum.runs().get(0);
    Path out = Files.createTempDirectory(dir, "sum");
    rgrid.execution(reduce.id()).downloadOutputs(out);
    assertThat(out.resolve("total.txt")).hasContent("14");
    // It started after every square run had ended.
    java.time.Instant started = reduce.transitions().stream()
        .filter(t -> t.status() == ExecutionStatus.RUNNING).findFirst().orElseThrow().at();
    assertThat(done.step("square").orElseThrow().runs()).hasSize(3).allSatisfy(r ->
        assertThat(r.finishedAt()).isBeforeOrEqualTo(started));

    // A failing file skips the reduce, naming the batch and the run.
    write("square.py", "import sys", "n = int(open(sys.argv[1]).read())",
        "sys.exit(3 if n == 2 else 0)");
    try {
      PipelineStatus failed = pipeline.run(rgrid).await();
      assertThat(failed.step("square").orElseThrow().status()).isEqualTo(
          ExecutionStatus.FAILED);
      StepState skipped = failed.step("sum").orElseThrow();
      assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
      assertThat(skipped.runs().get(0).failure().message()).contains("skipped: parent batch "
          + failed.step("square").orElseThrow().batchId() + " did not succeed");
    } finally {
      write("square.py", "import sys",
          "n = int(open(sys.argv[1]).read())", "open('sq.txt', 'w').write(str(n * n))");
    }
  }

  @Test
  void stepsShowInTheOrderTheyWereSubmittedThoughAFanOutsRunsAreMadeLater() throws Exception {
    Path gate = dir.resolve("gate-order");
    write("gated.py", "import os, sys, time", "deadline = time.time() + 120",
        "while not os.path.exists(sys.argv[1]) and time.time() < deadline:",
        "    time.sleep(0.02)", "os.makedirs('parts', exist_ok=True)",
        "for i in range(3):", "    open('parts/p%d.txt' % i, 'w').write(str(i + 1))");
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("produce", Path.of("gated.py")).args(gate.toString()).build())
        .step(Step.builder("square", Path.of("square.py")).args("{}")
            .batch("produce:parts/*.txt").parallel(2).build())
        .step(Step.builder("sum", Path.of("sum.py")).input("square:**/sq.txt").build())
        .build();
    PipelineRun run = pipeline.run(rgrid);
    assertThat(run.status().steps()).extracting(StepState::name)
        .containsExactly("produce", "square", "sum");
    // produce ends only now: square's runs are made after sum was stored.
    Files.writeString(gate, "go");
    PipelineStatus done = run.await();
    assertThat(done.steps()).extracting(StepState::status).containsOnly(
        ExecutionStatus.SUCCEEDED);
    assertThat(done.step("square").orElseThrow().runs()).hasSize(3).allSatisfy(r ->
        assertThat(r.createdAt()).isAfter(done.step("sum").orElseThrow().runs().get(0)
            .createdAt()));
    assertThat(done.steps()).extracting(StepState::name)
        .containsExactly("produce", "square", "sum");
  }
}
