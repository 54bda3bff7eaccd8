package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chained runs and pipelines through {@link RGrid#connect} against a real server with real
 * workers (process runtime), exactly as embedded: a diamond of runs each taking its parents'
 * outputs (nothing uploaded for them), a pipeline whose failing middle step skips its
 * descendants only and whose retry reruns them, and a pipeline cancelled while it waits.
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
}
