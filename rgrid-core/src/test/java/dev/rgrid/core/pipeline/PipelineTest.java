package dev.rgrid.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines through the library, embedded on the process runtime: a diamond whose last step takes
 * the outputs of two others, a failure that skips descendants only, reruns decided by the cache,
 * a retry, a batch step, and pipelines refused before anything is stored.
 */
class PipelineTest {
  @TempDir static Path dir;
  private static LocalRGrid rgrid;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(dir.resolve("home")).engine("process").workers(4).build();
    write("a.py", "import sys", "open('a.txt', 'w').write('a' + ''.join(sys.argv[1:]))");
    write("b.py", "open('b.txt', 'w').write(open('a.txt').read() + '>b')");
    write("c.py", "import sys",
        "open('c.txt', 'w').write(open('a.txt').read() + '>c' + ''.join(sys.argv[1:]))");
    write("d.py", "open('d.txt', 'w').write(open('b.txt').read() + '+' + open('c.txt').read())");
    write("fail.py", "import sys", "sys.exit(4)");
    Files.createDirectories(dir.resolve("data"));
    for (int i = 0; i < 3; i++) {
      Files.writeString(dir.resolve("data/" + i + ".csv"), "row " + i + "\n");
    }
    write("count.py", "import sys", "print(len(open(sys.argv[1]).read()))");
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static void write(String name, String... lines) throws IOException {
    Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  private static Pipeline.Builder diamond(String cArg) {
    Step.Builder c = Step.builder("c", Path.of("c.py")).input("a:a.txt");
    if (cArg != null) {
      c.args(cArg);
    }
    return Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("d", Path.of("d.py")).input("b:b.txt").input("c:c.txt").build())
        .step(Step.builder("b", Path.of("b.py")).input("a:a.txt").build())
        .step(c.build())
        .step(Step.builder("a", Path.of("a.py")).build());
  }

  private static ExecutionRecord run(PipelineStatus status, String step) {
    return status.step(step).orElseThrow().runs().get(0);
  }

  private static int stored() {
    return rgrid.list(ExecutionQuery.latest(1000)).items().size();
  }

  @Test
  void aDiamondRunsEachStepAfterItsParentsAndTheLastTakesBothOutputs() throws Exception {
    Pipeline pipeline = diamond(null).build();
    assertThat(pipeline.steps()).extracting(Step::name).containsExactly("a", "b", "c", "d");
    // (declared d, b, c, a: each is submitted after its parents)
    PipelineRun running = pipeline.run(rgrid);
    PipelineStatus done = running.await();

    assertThat(done.succeeded()).as(done.toString()).isTrue();
    assertThat(done.steps()).extracting(StepState::name).containsExactly("a", "b", "c", "d");
    ExecutionRecord d = run(done, "d");
    assertThat(d.startedAt()).isAfterOrEqualTo(run(done, "b").finishedAt())
        .isAfterOrEqualTo(run(done, "c").finishedAt());
    assertThat(d.spec().parents()).containsExactly(
        new ParentLink(run(done, "b").id(), "b.txt"), new ParentLink(run(done, "c").id(),
            "c.txt"));
    Path out = dir.resolve("out-diamond");
    running.execution("d").orElseThrow().downloadOutputs(out);
    assertThat(Files.readString(out.resolve("d.txt"))).isEqualTo("a>b+a>c");
    // Found again by its label, by anyone on the same state.
    assertThat(rgrid.list(new ExecutionQuery(Set.of(), Map.of(Pipeline.PIPELINE_LABEL,
        running.id().value()), null, null, 100)).items()).hasSize(4)
        .allMatch(r -> r.spec().labels().containsKey(Pipeline.STEP_LABEL));
    assertThat(running.id().value()).startsWith("pipe_");
  }

  @Test
  void anUnchangedPipelineRerunsAsCacheHitsAndAChangedStepRerunsWithItsDescendantsOnly()
      throws Exception {
    String marker = UUID.randomUUID().toString().substring(0, 8);
    PipelineStatus first = diamond(marker).build().run(rgrid).await();
    PipelineStatus again = diamond(marker).build().run(rgrid).await();
    PipelineStatus changed = diamond(marker + "x").build().run(rgrid).await();

    assertThat(first.succeeded()).isTrue();
    assertThat(run(first, "d").cached()).isFalse();
    assertThat(again.steps()).allMatch(StepState::cached, "cached");
    assertThat(again.id()).isNotEqualTo(first.id());
    assertThat(changed.succeeded()).isTrue();
    assertThat(changed.steps()).filteredOn(StepState::cached).extracting(StepState::name)
        .containsExactly("a", "b");
    assertThat(run(changed, "d").cacheKey()).isNotEqualTo(run(first, "d").cacheKey());
  }

  @Test
  void aFailingMiddleStepSkipsItsDescendantsOnlyAndARetryRerunsThemAfterTheFix()
      throws Exception {
    write("mid.py", "import sys", "sys.exit(4)");
    Pipeline failing = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).args("-retry").build())
        .step(Step.builder("mid", Path.of("mid.py")).needs("a").build())
        .step(Step.builder("after-mid", Path.of("b.py")).input("a:a.txt").needs("mid").build())
        .step(Step.builder("side", Path.of("c.py")).input("a:a.txt").build())
        .build();
    PipelineStatus done = failing.run(rgrid).await();

    assertThat(done.step("mid").orElseThrow().status()).isEqualTo(ExecutionStatus.FAILED);
    ExecutionRecord skipped = run(done, "after-mid");
    assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skipped.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(skipped.failure().message()).contains(run(done, "mid").id().value());
    assertThat(done.step("side").orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.step("a").orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);

    write("mid.py", "print('fixed')");
    Pipeline fixed = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).args("-retry").build())
        .step(Step.builder("mid", Path.of("mid.py")).needs("a").build())
        .step(Step.builder("after-mid", Path.of("b.py")).input("a:a.txt").needs("mid").build())
        .step(Step.builder("side", Path.of("c.py")).input("a:a.txt").build())
        .build();
    PipelineRun retry = fixed.retry(rgrid, done.id());
    assertThat(retry.submitted()).containsExactly("mid", "after-mid");
    assertThat(retry.kept()).containsExactlyInAnyOrder("a", "side");
    PipelineStatus after = retry.await();
    assertThat(after.id()).isEqualTo(done.id());
    assertThat(after.succeeded()).as(after.toString()).isTrue();
    assertThat(run(after, "a").id()).isEqualTo(run(done, "a").id()); // not run again
    assertThat(run(after, "mid").spec().parents()).containsExactly(
        ParentLink.after(run(done, "a").id()));
    assertThat(after.steps()).extracting(StepState::name)
        .containsExactly("a", "side", "mid", "after-mid");
    assertThatThrownBy(() -> fixed.retry(rgrid, PipelineId.generate(
        java.time.Instant.now(), new java.util.Random()))).hasMessageContaining("no pipeline");
  }

  @Test
  void aStepWhoseParentDidNotProduceThePromisedOutputFailsSayingSo() throws Exception {
    PipelineStatus done = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).args("-promise").build())
        .step(Step.builder("b", Path.of("b.py")).input("a:summary.csv").build())
        .build().run(rgrid).await();
    ExecutionRecord b = run(done, "b");
    assertThat(b.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(b.failure().kind()).isEqualTo(FailureKind.INPUT_ERROR);
    assertThat(b.failure().message()).isEqualTo(run(done, "a").id() + " produced no summary.csv");
  }

  @Test
  void aBatchStepRunsOncePerFileAndCannotWaitForOthersYet() throws Exception {
    PipelineStatus done = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("count", Path.of("count.py")).batch("data/*.csv").parallel(2).build())
        .step(Step.builder("a", Path.of("a.py")).build())
        .source("pipeline.toml") // recorded on the runs, for a retry from the CLI
        .build().run(rgrid).await();
    assertThat(done.source()).isEqualTo("pipeline.toml");
    StepState count = done.step("count").orElseThrow();
    assertThat(count.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(count.runs()).hasSize(3);
    assertThat(count.batchId()).startsWith("batch_");

    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).build())
        .step(Step.builder("count", Path.of("count.py")).batch("data/*.csv").needs("a").build())
        .build()).hasMessageContaining("a batch step cannot wait for other steps yet");
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("count", Path.of("count.py")).batch("data/*.csv").needs("a").build())
        .step(Step.builder("a", Path.of("a.py")).build())
        .build()).hasMessageContaining("a batch step cannot wait for other steps yet");
  }

  @Test
  void aStepTakesEveryOutputOfABatchStepAndWaitsForItsLastRun() throws Exception {
    write("measure.py", "import sys",
        "open('size.txt', 'w').write(str(len(open(sys.argv[1]).read())))");
    write("sum.py", "import glob",
        "parts = sorted(glob.glob('**/size.txt', recursive=True))",
        "open('total.txt', 'w').write('%d files, %d bytes' % (len(parts),"
            + " sum(int(open(p).read()) for p in parts)))");
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("measure", Path.of("measure.py")).batch("data/*.csv").parallel(2)
            .build())
        .step(Step.builder("sum", Path.of("sum.py")).input("measure:**/size.txt").build())
        .step(Step.builder("after", Path.of("a.py")).needs("measure").build())
        .build();

    PipelineStatus done = pipeline.run(rgrid).await();

    assertThat(done.step("measure").orElseThrow().runs()).hasSize(3);
    ExecutionRecord sum = run(done, "sum");
    assertThat(sum.status()).as(String.valueOf(sum.failure()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    Path out = Files.createTempDirectory(dir, "sum");
    rgrid.execution(sum.id()).downloadOutputs(out);
    assertThat(out.resolve("total.txt")).hasContent("3 files, 18 bytes");
    assertThat(run(done, "after").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(run(done, "after").startedAt()).isAfterOrEqualTo(
        done.step("measure").orElseThrow().runs().stream().map(ExecutionRecord::finishedAt)
            .max(java.util.Comparator.naturalOrder()).orElseThrow());
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("count", Path.of("count.py")).batch("nothing/*.csv").build())
        .build()).isInstanceOf(dev.rgrid.core.NoMatchException.class);
  }

  @Test
  void aBatchStepFedByAnotherRunsOncePerItsRunsAndAFanInTakesThemAll() throws Exception {
    write("upper.py", "import sys",
        "open('up.txt', 'w').write(open(sys.argv[1]).read().upper())");
    write("wrap.py", "import sys",
        "open('wrapped.txt', 'w').write('[' + open(sys.argv[1]).read().strip() + ']')");
    write("join.py", "import glob",
        "parts = sorted(glob.glob('**/wrapped.txt', recursive=True))",
        "open('all.txt', 'w').write(' '.join(p + '=' + open(p).read() for p in parts))");
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("join", Path.of("join.py")).input("wrap:**/wrapped.txt").build())
        .step(Step.builder("wrap", Path.of("wrap.py")).args("{}").batch("upper:up.txt")
            .parallel(2).build())
        .step(Step.builder("upper", Path.of("upper.py")).batch("data/*.csv").parallel(2)
            .build())
        .build();
    assertThat(pipeline.steps()).extracting(Step::name).containsExactly("upper", "wrap", "join");

    PipelineStatus done = pipeline.run(rgrid).await();

    StepState wrap = done.step("wrap").orElseThrow();
    assertThat(wrap.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(wrap.runs()).hasSize(3);
    assertThat(wrap.runs()).allSatisfy(r -> assertThat(r.spec().parents()).singleElement()
        .satisfies(l -> assertThat(l.item()).isTrue()));
    Path out = Files.createTempDirectory(dir, "join");
    rgrid.execution(run(done, "join").id()).downloadOutputs(out);
    assertThat(out.resolve("all.txt")).hasContent("0.csv/wrapped.txt=[ROW 0] "
        + "1.csv/wrapped.txt=[ROW 1] 2.csv/wrapped.txt=[ROW 2]");
    // Unchanged: every run of every step a cache hit.
    PipelineStatus again = pipeline.run(rgrid).await();
    assertThat(again.steps()).allSatisfy(s -> assertThat(s.runs())
        .allSatisfy(r -> assertThat(r.cached()).isTrue()));

    // A batch step fed by a single-run step fans out from its outputs: PipelineFanOutTest.
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).build())
        .step(Step.builder("upper", Path.of("upper.py")).batch("data/*.csv").build())
        .step(Step.builder("wrap", Path.of("wrap.py")).batch("upper:up.txt").needs("a").build())
        .build()).hasMessageContaining("cannot wait for other steps too");
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("wrap", Path.of("wrap.py")).batch("nope:up.txt").build())
        .build()).hasMessageContaining("needs unknown step 'nope'");
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("upper", Path.of("upper.py")).batch("data/*.csv").build())
        .step(Step.builder("wrap", Path.of("wrap.py")).batch("upper:../up.txt").build())
        .build()).hasMessageContaining("step wrap: batch = \"upper:../up.txt\" must name a "
            + "relative path or glob of upper's outputs").hasMessageNotContaining("input")
        .isInstanceOfSatisfying(InvalidRunSpecException.class, e -> assertThat(e.hint())
            .hasValueSatisfying(h -> assertThat(h).contains("batch = \"upper:GLOB\"")));
    assertThatThrownBy(() -> Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("upper", Path.of("upper.py")).batch("data/*.csv").build())
        .step(Step.builder("wrap", Path.of("wrap.py")).batch("upper:/etc/*").build())
        .build()).hasMessageContaining("step wrap: batch = \"upper:/etc/*\" must name");
  }

  @Test
  void cancellingAPipelineCancelsItsRunningStepAndSkipsTheRest() throws Exception {
    Path go = dir.resolve("never");
    write("slow.py", "import os, time", "while not os.path.exists('" + go + "'):",
        "    time.sleep(0.05)");
    PipelineRun running = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("slow", Path.of("slow.py")).build())
        .step(Step.builder("next", Path.of("b.py")).needs("slow").build())
        .build().run(rgrid);
    assertThat(running.status().step("next").orElseThrow().status())
        .isEqualTo(ExecutionStatus.WAITING);
    assertThat(running.cancel()).isPositive();
    PipelineStatus done = running.await();
    assertThat(done.step("slow").orElseThrow().status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(done.step("next").orElseThrow().status()).isIn(ExecutionStatus.SKIPPED,
        ExecutionStatus.CANCELLED);
  }

  @Test
  void badPipelinesAreRefusedWithAClearMessageBeforeAnythingIsStored() throws Exception {
    int before = stored();
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).needs("b").build())
        .step(Step.builder("b", Path.of("b.py")).input("a:a.txt").build()),
        "the steps form a cycle (each needs the next): a → b → a");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).needs("a").build()), "waits for itself");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).needs("nope").build()),
        "step a needs unknown step 'nope'");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("b", Path.of("b.py")).input("nope:x.txt").build()),
        "needs unknown step 'nope'");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("missing.py")).build()), "script missing.py is not a file");
    assertRefused(Pipeline.builder().baseDirectory(dir), "at least one step");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).build())
        .step(Step.builder("a", Path.of("b.py")).build()), "step a is defined twice");
    for (String name : new String[] {"../x", "a b", "", "a:b", "-x", "x".repeat(64), "é"}) {
      assertRefused(Pipeline.builder().baseDirectory(dir)
          .step(Step.builder(name, Path.of("a.py")).build()), "is not allowed");
    }
    // Hostile paths: out of the pipeline's directory, by '..', absolute or in a parent glob.
    Files.writeString(dir.getParent().resolve("secret-" + dir.getFileName()), "secret");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).input("../secret-" + dir.getFileName()).build()),
        "is outside the pipeline's directory");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("/etc/hostname")).build()), "outside");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).build())
        .step(Step.builder("b", Path.of("b.py")).input("a:../../etc/passwd").build()),
        "must name a relative path or glob of a's outputs");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).parallel(3).build()),
        "parallel applies only to a batch step");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).label(Pipeline.PIPELINE_LABEL, "forged").build()),
        "step a: label rgrid.pipeline is reserved");
    assertRefused(Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).label("bad key", "x").build()),
        "invalid label key");
    Pipeline.Builder huge = Pipeline.builder().baseDirectory(dir);
    for (int i = 0; i < 10_000; i++) {
      huge.step(Step.builder("s" + i, Path.of("a.py")).build());
    }
    assertRefused(huge, "a pipeline has at most 1000 steps, this one has 10000");
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  void aRefusedSubmissionCancelsTheStepsAlreadySubmitted() {
    // More CPUs than this machine has: within the limits the file is checked against, refused
    // only by the instance that runs it, when the step is submitted.
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("a", Path.of("a.py")).args("-refused").build())
        .step(Step.builder("b", Path.of("b.py")).needs("a")
            .resources(new Resources(200_000, 0, List.of())).build())
        .build();
    assertThatThrownBy(() -> pipeline.run(rgrid)).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("CPU limit 200");
    assertThat(rgrid.list(ExecutionQuery.latest(1000)).items()).as("a was submitted first")
        .anyMatch(r -> r.spec().args().contains("-refused"));
  }

  private static void assertRefused(Pipeline.Builder builder, String message) {
    assertThatThrownBy(builder::build).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining(message);
  }
}
