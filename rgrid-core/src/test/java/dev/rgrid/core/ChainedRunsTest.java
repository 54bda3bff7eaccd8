package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.StatusTransition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that wait for others through the library, embedded on the process runtime: a child takes
 * its parent's output as an input and runs after it; a parent that fails skips it.
 */
class ChainedRunsTest {
  @TempDir static Path tmp;
  private static LocalRGrid rgrid;
  private static Path writer;
  private static Path reader;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process").workers(2).build();
    writer = Files.writeString(tmp.resolve("write.py"), String.join("\n",
        "import sys",
        "if sys.argv[1] == 'fail':",
        "    sys.exit(3)",
        "if sys.argv[1] != 'nothing':",
        "    open('out.txt', 'w').write(sys.argv[1])",
        ""));
    reader = Files.writeString(tmp.resolve("read.py"), String.join("\n",
        "text = open('out.txt').read()",
        "print('read:', text)",
        "open('result.txt', 'w').write(text.upper())",
        ""));
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static ExecutionRecord await(Execution e) throws InterruptedException {
    return e.await(Duration.ofSeconds(60)).orElseThrow();
  }

  private static Execution write(String what) {
    return rgrid.run(RunSpec.builder(writer).args(what).build());
  }

  @Test
  void aChildTakesItsParentsOutputUnderItsOwnNameAndRunsOnlyAfterIt() throws Exception {
    Execution a = write("hello from a");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Execution b = rgrid.run(RunSpec.builder(reader).from(a.id(), "out.txt")
        .listener(new ExecutionListener() {
          @Override
          public void onOutput(dev.rgrid.spi.store.LogStream stream, byte[] bytes) {
            out.writeBytes(bytes);
          }
        }).build());
    ExecutionRecord child = await(b);
    ExecutionRecord parent = a.record();
    assertThat(child.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(child.transitions().get(0).status()).isEqualTo(ExecutionStatus.WAITING);
    assertThat(child.startedAt()).isAfterOrEqualTo(parent.finishedAt());
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("read: hello from a");
    assertThat(b.outputs()).extracting(dev.rgrid.spi.store.Artifact::path)
        .containsExactly("result.txt"); // the input it took is not an output of its own
    assertThat(child.spec().inputs()).isEmpty(); // the stored spec keeps only the link
  }

  @Test
  void aFailedParentSkipsItsChildrenDownTheChainWithoutRunningThem() throws Exception {
    Execution a = write("fail");
    Execution b = rgrid.run(RunSpec.builder(reader).after(a.id()).build());
    Execution c = rgrid.run(RunSpec.builder(reader).after(b.id()).build());
    ExecutionRecord skipped = await(b);
    assertThat(await(a).status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(skipped.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(skipped.failure().message()).contains(a.id().value()).contains("FAILED");
    assertThat(skipped.startedAt()).isNull();
    assertThat(b.logs()).isEmpty();
    ExecutionRecord grandchild = await(c);
    assertThat(grandchild.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(grandchild.failure().message()).contains(b.id().value());
  }

  @Test
  void aParentWithoutThePromisedOutputFailsTheChildSayingWhatIsMissing() throws Exception {
    Execution a = write("nothing");
    Execution b = rgrid.run(RunSpec.builder(reader).from(a.id(), "summary.csv").build());
    ExecutionRecord failed = await(b);
    assertThat(await(a).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.failure().kind()).isEqualTo(FailureKind.INPUT_ERROR);
    assertThat(failed.failure().message()).isEqualTo(a.id() + " produced no summary.csv");
  }

  @Test
  void aChildsCacheKeyChainsThroughTheContentOfItsParentsOutputsAndItsResultIsReused()
      throws Exception {
    ExecutionRecord first = await(rgrid.run(RunSpec.builder(reader)
        .from(await(write("same")).id(), "out.txt").build()));
    ByteArrayOutputStream replayed = new ByteArrayOutputStream();
    Execution againRun = rgrid.run(RunSpec.builder(reader)
        .from(await(write("same")).id(), "out.txt").listener(new ExecutionListener() {
          @Override
          public void onOutput(dev.rgrid.spi.store.LogStream stream, byte[] bytes) {
            replayed.writeBytes(bytes);
          }
        }).build());
    ExecutionRecord again = await(againRun);
    ExecutionRecord other = await(rgrid.run(RunSpec.builder(reader)
        .from(await(write("different")).id(), "o*.txt").build()));
    assertThat(first.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(first.cacheKey()).hasSize(64);
    // Another parent (a cache hit of the first) with the same output: the same key, so the
    // child's result is reused without running, its output and outputs as the first's.
    assertThat(again.cacheKey()).isEqualTo(first.cacheKey());
    assertThat(again.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(again.cached()).isTrue();
    assertThat(again.cachedFrom()).isEqualTo(first.id());
    assertThat(replayed.toString(StandardCharsets.UTF_8)).isEqualTo("read: same\n");
    assertThat(againRun.outputs()).extracting(dev.rgrid.spi.store.Artifact::path)
        .containsExactly("result.txt");
    assertThat(other.cacheKey()).isNotNull().isNotEqualTo(first.cacheKey());
    assertThat(other.cached()).isFalse();
  }

  @Test
  void anUnknownParentIsRefusedBeforeAnythingIsStored() {
    ExecutionId unknown = ExecutionId.of("exec_01M800000000000000000000AA");
    long before = rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 500)).items()
        .size();
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(reader).after(unknown).build()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("no execution " + unknown + " to wait for");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(reader).from(unknown, "[").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a valid glob");
    assertThat(rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 500)).items())
        .hasSize((int) before);
  }

  @Test
  void hostileParentsAreRefusedBeforeAnythingIsStored() throws Exception {
    ExecutionId a = await(write("x")).id();
    long before = rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 500)).items()
        .size();
    RunSpec.Builder many = RunSpec.builder(reader);
    for (int i = 0; i < 101; i++) {
      many.after(a);
    }
    assertThatThrownBy(() -> rgrid.run(many.build())).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("at most 100");
    for (String glob : new String[] {"/etc/passwd", "a\0b", "a\\b", " ", "x".repeat(1025)}) {
      assertThatThrownBy(() -> RunSpec.builder(reader).from(a, glob))
          .as(glob).isInstanceOf(IllegalArgumentException.class);
    }
    // A glob that climbs out matches no output of the parent, so it only fails the child.
    ExecutionRecord climbing = await(rgrid.run(RunSpec.builder(reader).from(a, "../*").build()));
    assertThat(climbing.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(climbing.failure().message()).isEqualTo(a + " produced no ../*");
    assertThat(rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 500)).items())
        .hasSize((int) before + 1);
  }

  @Test
  void cancellingAWaitingRunSkipsTheRunsThatWaitForIt() throws Exception {
    Path slow = Files.writeString(tmp.resolve("slow.py"), String.join("\n",
        "import os, time",
        "while not os.path.exists(os.environ['GO']):",
        "    time.sleep(0.05)",
        ""));
    Path go = tmp.resolve("go");
    Execution a = rgrid.run(RunSpec.builder(slow).env("GO", go.toString()).build());
    Execution b = rgrid.run(RunSpec.builder(reader).after(a.id()).build());
    Execution c = rgrid.run(RunSpec.builder(reader).after(b.id()).build());
    assertThat(b.status()).isEqualTo(ExecutionStatus.WAITING);
    assertThat(b.cancel()).isTrue();
    assertThat(await(b).status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(await(c).status()).isEqualTo(ExecutionStatus.SKIPPED);
    Files.writeString(go, "");
    assertThat(await(a).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(b.record().transitions()).extracting(StatusTransition::status)
        .containsExactly(ExecutionStatus.WAITING, ExecutionStatus.CANCELLED);
  }
}
