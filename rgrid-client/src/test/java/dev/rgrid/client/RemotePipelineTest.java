package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.core.pipeline.PipelineRun;
import dev.rgrid.core.pipeline.PipelineStatus;
import dev.rgrid.core.pipeline.Pipelines;
import dev.rgrid.core.pipeline.Step;
import dev.rgrid.core.pipeline.StepState;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chained runs and pipelines through {@link RGrid#connect} against a real server with real
 * workers (process runtime), exactly as embedded: a diamond of runs each taking its parents'
 * outputs (nothing uploaded for them), a pipeline whose failing middle step skips its
 * descendants only and whose retry reruns them, a pipeline cancelled while it waits, and
 * batches fed by other runs (N to N from a batch, fan-out from an ended run, a pipeline's fed
 * batch step), their runs worked out by the server.
 */
class RemotePipelineTest {
  @TempDir static Path home;
  @TempDir static Path dir;
  static TestServer server;
  static RGrid remote;

  @BeforeAll
  static void start() throws IOException {
    server = TestServer.start(home);
    remote = RGrid.connect(server.uri(), server.key);
    write("a.py", "import sys", "open('a.txt', 'w').write('a' + ''.join(sys.argv[1:]))");
    write("b.py", "open('b.txt', 'w').write(open('a.txt').read() + '>b')");
    write("c.py", "open('c.txt', 'w').write(open('a.txt').read() + '>c')");
    write("d.py", "print(open('b.txt').read() + '+' + open('c.txt').read())");
  }

  @AfterAll
  static void stop() {
    if (remote != null) {
      remote.close();
    }
    server.close();
  }

  private static void write(String name, String... lines) throws IOException {
    Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  private static RunSpec.Builder spec(String script) {
    return RunSpec.builder(dir.resolve(script)).baseDirectory(dir);
  }

  private static ExecutionRecord run(PipelineStatus status, String step) {
    return status.step(step).orElseThrow().runs().get(0);
  }

  @Test
  void aDiamondOfRunsTakesEachParentsOutputOnTheServer() throws Exception {
    Execution a = remote.run(spec("a.py").args("-diamond").build());
    Execution b = remote.run(spec("b.py").from(a.id(), "a.txt").build());
    Execution c = remote.run(spec("c.py").from(a.id(), "*.txt").build());
    Execution d = remote.run(spec("d.py").from(b.id(), "b.txt").from(c.id(), "c.txt")
        .after(a.id()).build());

    ExecutionRecord done = d.await();
    assertThat(done.status()).as(String.valueOf(done.failure()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(d.logs()).extracting(l -> l.text()).containsExactly("a-diamond>b+a-diamond>c");
    // The view the server gives back carries the parents, as the embedded record does.
    assertThat(remote.find(d.id()).orElseThrow().spec().parents()).containsExactly(
        new ParentLink(b.id(), "b.txt"), new ParentLink(c.id(), "c.txt"),
        ParentLink.after(a.id()));
    assertThat(done.startedAt()).isAfterOrEqualTo(b.await().finishedAt())
        .isAfterOrEqualTo(c.await().finishedAt());
  }

  @Test
  void aPipelineWhoseMiddleStepFailsSkipsItsDescendantsOnlyAndARetryRerunsThem()
      throws Exception {
    write("mid.py", "import sys", "sys.exit(4)");
    Pipeline pipeline = Pipeline.builder().baseDirectory(dir).source("remote.toml")
        .step(Step.builder("a", Path.of("a.py")).args("-pipeline").build())
        .step(Step.builder("mid", Path.of("mid.py")).needs("a").build())
        .step(Step.builder("after-mid", Path.of("b.py")).input("a:a.txt").needs("mid").build())
        .step(Step.builder("side", Path.of("c.py")).input("a:a.txt")
            .retry(RetryPolicy.defaults().withMaxRetries(3)).build())
        .build();
    PipelineStatus done = pipeline.run(remote).await();

    assertThat(done.step("a").orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.step("mid").orElseThrow().status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.step("side").orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(run(done, "side").spec().retry().maxRetries()).as("a step's retries travel")
        .isEqualTo(3);
    ExecutionRecord skipped = run(done, "after-mid");
    assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skipped.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(skipped.failure().message()).contains(run(done, "mid").id().value());
    // Found again on the server by its labels, by any client of the account.
    assertThat(Pipelines.status(remote, done.id()).source()).isEqualTo("remote.toml");

    write("mid.py", "print('fixed')");
    PipelineRun retry = pipeline.retry(remote, done.id());
    assertThat(retry.submitted()).containsExactly("mid", "after-mid");
    PipelineStatus after = retry.await();
    assertThat(after.succeeded()).as(after.toString()).isTrue();
    assertThat(run(after, "a").id()).isEqualTo(run(done, "a").id()); // not run again

    // Unchanged, the whole pipeline reruns as cache hits, keyed through its parents' outputs.
    PipelineStatus again = pipeline.run(remote).await();
    assertThat(again.steps()).allMatch(StepState::cached, "cached");
  }

  @Test
  void aBatchFedByAnotherBatchsRunsRunsNToNOnTheServerEachTakingItsParentRunsOutput()
      throws Exception {
    Path in = Files.createDirectories(dir.resolve("fed-in"));
    for (int n = 1; n <= 4; n++) {
      Files.writeString(in.resolve("n" + n + ".txt"), Integer.toString(n));
    }
    write("clean.py", "import sys", "n = int(open(sys.argv[1]).read())",
        "if n == 3:", "    sys.exit(5)", "open('clean.txt', 'w').write(str(n * 10))");
    write("score.py", "import sys", "v = open(sys.argv[1]).read()",
        "open('score.txt', 'w').write(v + '!' + sys.argv[2])");
    Batch first = remote.batch(BatchSpec.builder(spec("clean.py").args("{}").build())
        .glob("fed-in/*.txt").parallel(2).build());
    // Submitted at once, while the parent batch may still run.
    Batch second = remote.batch(BatchSpec.builder(spec("score.py").args("{}", "{{}}").build())
        .itemsFrom(first.id(), "clean.txt").parallel(2).build());
    assertThat(second.items()).extracting(BatchItem::folder)
        .containsExactly("n1.txt", "n2.txt", "n3.txt", "n4.txt");
    first.await();
    BatchProgress done = second.await(Duration.ofSeconds(120)).orElseThrow();
    assertThat(done.total()).isEqualTo(4);
    assertThat(done.succeeded()).isEqualTo(3);
    assertThat(done.failed()).as("n3's run was skipped with its parent").isEqualTo(1);
    for (BatchItem item : second.items()) {
      ExecutionRecord child = second.record(item);
      ExecutionRecord parent = first.record(first.items().stream()
          .filter(i -> i.folder().equals(item.folder())).findFirst().orElseThrow());
      // The item link and the folder label come back from the server as stored.
      assertThat(child.spec().parents()).containsExactly(ParentLink.item(parent.id(),
          "clean.txt"));
      assertThat(child.spec().labels()).containsEntry("rgrid.item", item.folder());
      assertThat(child.status()).isEqualTo(item.folder().equals("n3.txt")
          ? ExecutionStatus.SKIPPED : ExecutionStatus.SUCCEEDED);
    }
    Path out = dir.resolve("fed-out");
    remote.downloadBatch(second.id(), out, false);
    assertThat(out.resolve("n4.txt/score.txt")).hasContent("40!{}");
    assertThat(out.resolve("n3.txt")).doesNotExist();
  }

  @Test
  void anEndedRunFansOutOneRunPerMatchingOutputOnTheServer() throws Exception {
    write("split.py", "import os", "os.makedirs('parts', exist_ok=True)",
        "for name, n in [('a.csv', 1), ('b.csv', 2), ('notes.txt', 0)]:",
        "    open('parts/' + name, 'w').write(str(n))");
    write("twice.py", "import sys", "open('double.txt', 'w').write(str(2 * int(open("
        + "sys.argv[1]).read())))");
    ExecutionRecord parent = remote.run(spec("split.py").build()).await();
    assertThat(parent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    Batch fanned = remote.batch(BatchSpec.builder(spec("twice.py").args("{}").build())
        .itemsFrom(parent.id(), "parts/*.csv").build());
    BatchProgress done = fanned.await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.succeeded()).isEqualTo(2);
    assertThat(fanned.items()).extracting(BatchItem::folder).containsExactly("a.csv", "b.csv");
    Path out = dir.resolve("fanned");
    remote.downloadBatch(fanned.id(), out, false);
    assertThat(out.resolve("b.csv/double.txt")).hasContent("4");
    // Refused by the server before anything is stored, as embedded.
    assertThatThrownBy(() -> remote.batch(BatchSpec.builder(spec("twice.py").build())
        .itemsFrom(parent.id(), "parts/*.json").build()))
        .isInstanceOf(dev.rgrid.core.NoMatchException.class).hasMessageContaining("produced no");
  }

  @Test
  void aPipelineWithABatchStepFedByAnotherRunsThroughTheServer() throws Exception {
    Path in = Files.createDirectories(dir.resolve("pipe-in"));
    Files.writeString(in.resolve("x.txt"), "x");
    Files.writeString(in.resolve("y.txt"), "y");
    write("up.py", "import sys", "open('up.txt', 'w').write(open(sys.argv[1]).read().upper())");
    write("wrap.py", "import sys", "print('[' + open(sys.argv[1]).read() + ']')");
    PipelineStatus done = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("up", Path.of("up.py")).args("{}").batch("pipe-in/*.txt").build())
        .step(Step.builder("wrap", Path.of("wrap.py")).args("{}").batchFrom("up", "up.txt")
            .build())
        .build().run(remote).await();
    assertThat(done.succeeded()).as(done.toString()).isTrue();
    StepState wrap = done.step("wrap").orElseThrow();
    assertThat(wrap.runs()).hasSize(2);
    assertThat(wrap.runs()).extracting(r -> remote.logs(r.id(), 0, 10).get(0).text())
        .containsExactlyInAnyOrder("[X]", "[Y]");
  }

  /** A run that waits until {@code gate} exists, then writes parts/a.csv and parts/b.csv. */
  private static Execution held(Path gate, int exit) throws IOException {
    write("hold.py", "import os, sys, time", "while not os.path.exists(sys.argv[1]):",
        "    time.sleep(0.02)", "if int(sys.argv[2]):", "    sys.exit(int(sys.argv[2]))",
        "os.makedirs('parts', exist_ok=True)",
        "for name, n in [('a.csv', 1), ('b.csv', 2), ('notes.txt', 0)]:",
        "    open('parts/' + name, 'w').write(str(n))");
    return remote.run(spec("hold.py").args(gate.toString(), Integer.toString(exit)).build());
  }

  /** A batch of twice.py fanned out from {@code parent} over {@code glob}, heard by a list. */
  private static Batch fannedOut(Execution parent, String glob,
      java.util.List<String> heard) throws IOException {
    write("twice.py", "import sys", "open('double.txt', 'w').write(str(2 * int(open("
        + "sys.argv[1]).read())))");
    return remote.batch(BatchSpec.builder(spec("twice.py").args("{}").build())
        .itemsFrom(parent.id(), glob).parallel(2).listener(new dev.rgrid.core.BatchListener() {
          @Override
          public void onItemEnded(BatchItem item, ExecutionRecord record) {
            heard.add(item.folder() + "=" + record.status());
          }
        }).build());
  }

  @Test
  void aRunNotEndedFansOutThroughTheServerOnceItEnds() throws Exception {
    Path gate = dir.resolve("gate-fan");
    Execution parent = held(gate, 0);
    java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    Batch fanned = fannedOut(parent, "parts/*.csv", heard);
    // Stored at once with its one template run, which waits for the parent.
    assertThat(remote.batchRecord(fanned.id()).size()).isZero();
    assertThat(fanned.items()).singleElement().satisfies(i -> assertThat(i.input())
        .isEqualTo(Path.of(parent.id() + ":parts/*.csv")));
    assertThat(fanned.await(Duration.ZERO)).as("not done before its parent ends").isEmpty();
    Files.writeString(gate, "go");

    BatchProgress done = fanned.await(Duration.ofSeconds(120)).orElseThrow();
    assertThat(done.total()).isEqualTo(2);
    assertThat(done.succeeded()).isEqualTo(2);
    assertThat(fanned.items()).extracting(BatchItem::folder).containsExactly("a.csv", "b.csv");
    assertThat(heard).containsExactlyInAnyOrder("a.csv=SUCCEEDED", "b.csv=SUCCEEDED");
    for (BatchItem item : fanned.items()) {
      assertThat(fanned.record(item).spec().parents()).containsExactly(ParentLink.item(
          parent.id(), "parts/" + item.folder()));
    }
    Path out = dir.resolve("fanned-later");
    assertThat(fanned.downloadOutputs(out, false)).hasSize(2);
    assertThat(out.resolve("a.csv/double.txt")).hasContent("2");
    assertThat(out.resolve("b.csv/double.txt")).hasContent("4");
  }

  @Test
  void aParentThatFailsSkipsTheBatchFannedOutFromItNamingIt() throws Exception {
    Path gate = dir.resolve("gate-fail");
    Execution parent = held(gate, 3);
    java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    Batch fanned = fannedOut(parent, "parts/*.csv", heard);
    Files.writeString(gate, "go");
    BatchProgress done = fanned.await(Duration.ofSeconds(120)).orElseThrow();
    assertThat(done.total()).isEqualTo(1);
    assertThat(done.failed()).isEqualTo(1);
    ExecutionRecord template = fanned.record(fanned.items().get(0));
    assertThat(template.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(template.failure().message()).contains(parent.id().value());
    assertThat(heard).singleElement().asString().endsWith("=SKIPPED");
  }

  @Test
  void aGlobMatchingNothingFailsTheBatchNamingTheGlob() throws Exception {
    Path gate = dir.resolve("gate-none");
    Execution parent = held(gate, 0);
    Batch fanned = fannedOut(parent, "parts/*.json", new java.util.ArrayList<>());
    Files.writeString(gate, "go");
    BatchProgress done = fanned.await(Duration.ofSeconds(120)).orElseThrow();
    assertThat(done.failed()).isEqualTo(1);
    ExecutionRecord template = fanned.record(fanned.items().get(0));
    assertThat(template.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(template.failure().message()).contains("produced no parts/*.json");
  }

  @Test
  void produceThenARunPerFileThenReduceThroughTheServer() throws Exception {
    write("produce.py", "import os", "os.makedirs('parts', exist_ok=True)",
        "for i in range(3):", "    open('parts/p%d.txt' % i, 'w').write(str(i + 1))");
    write("square.py", "import sys",
        "n = int(open(sys.argv[1]).read())", "open('sq.txt', 'w').write(str(n * n))");
    write("sum.py", "import glob",
        "total = sum(int(open(p).read()) for p in glob.glob('**/sq.txt', recursive=True))",
        "open('total.txt', 'w').write(str(total))");
    PipelineStatus done = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("produce", Path.of("produce.py")).build())
        .step(Step.builder("square", Path.of("square.py")).args("{}")
            .batch("produce:parts/*.txt").parallel(2).build())
        .step(Step.builder("sum", Path.of("sum.py")).input("square:**/sq.txt").build())
        .build().run(remote).await();

    assertThat(done.steps()).extracting(StepState::status)
        .containsOnly(ExecutionStatus.SUCCEEDED);
    assertThat(done.step("square").orElseThrow().runs()).hasSize(3);
    ExecutionRecord reduce = done.step("sum").orElseThrow().runs().get(0);
    Path out = dir.resolve("sum-out");
    remote.execution(reduce.id()).downloadOutputs(out);
    assertThat(out.resolve("total.txt")).hasContent("14");
  }

  @Test
  void cancellingAPipelineOnTheServerSkipsTheStepsThatWaited() throws Exception {
    Path go = dir.resolve("never");
    write("slow.py", "import os, time", "while not os.path.exists('" + go + "'):",
        "    time.sleep(0.05)");
    PipelineRun running = Pipeline.builder().baseDirectory(dir)
        .step(Step.builder("slow", Path.of("slow.py")).build())
        .step(Step.builder("next", Path.of("b.py")).needs("slow").build())
        .build().run(remote);
    assertThat(running.status().step("next").orElseThrow().status())
        .isEqualTo(ExecutionStatus.WAITING);
    assertThat(Pipelines.cancel(remote, running.id())).isPositive();
    PipelineStatus done = running.await();
    assertThat(done.step("slow").orElseThrow().status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(done.step("next").orElseThrow().status()).isIn(ExecutionStatus.SKIPPED,
        ExecutionStatus.CANCELLED);
  }

  @Test
  void aFanOutWhoseTemplateRunIsRefusedIsTakenBackFromTheServer() throws Exception {
    Path gate = dir.resolve("gate-refused");
    Execution parent = held(gate, 0);
    Files.writeString(dir.resolve("empty.py"), "");
    int before = remote.batches(null, 1000).size();
    try {
      assertThatThrownBy(() -> remote.batch(BatchSpec.builder(spec("empty.py").build())
          .itemsFrom(parent.id(), "parts/*.csv").build()))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is empty");
      assertThat(remote.batches(null, 1000)).hasSize(before);
    } finally {
      Files.writeString(gate, "go");
      parent.await(Duration.ofSeconds(120));
    }
  }
}
