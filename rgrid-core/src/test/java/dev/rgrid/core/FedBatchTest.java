package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fed by another batch's runs, one run each (N to N), embedded on SQLite and the process
 * runtime: each run waits for its own parent run, takes its one matching output in place of
 * {@code {}}, is skipped alone when its parent fails, reruns as cache hits; bad sources are
 * refused before anything is stored.
 */
class FedBatchTest {
  @TempDir static Path tmp;
  private static LocalRGrid rgrid;
  private static Path part;
  private static Path twice;
  private static List<Path> fifty;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process").workers(2).build();
    // Each run writes out/part.csv from its input; "fail" fails it, "none" writes nothing and
    // "two" writes two matches.
    part = Files.writeString(tmp.resolve("part.py"), String.join("\n",
        "import os, sys",
        "text = open(sys.argv[1]).read()",
        "if text == 'fail':",
        "    sys.exit(3)",
        "os.makedirs('out', exist_ok=True)",
        "if text == 'two':",
        "    open('out/other.csv', 'w').write('1')",
        "if text != 'none':",
        "    open('out/part.csv', 'w').write(text)",
        ""));
    // The fed run doubles the number in the file it is given as its first argument.
    twice = Files.writeString(tmp.resolve("twice.py"), String.join("\n",
        "import sys",
        "print('arg:', sys.argv[1], sys.argv[2])",
        "open('double.txt', 'w').write(str(2 * int(open(sys.argv[1]).read())))",
        ""));
    Path in = Files.createDirectories(tmp.resolve("in"));
    fifty = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fifty.add(Files.writeString(in.resolve(String.format("n%02d.txt", i)),
          i == 17 ? "fail" : Integer.toString(i)));
    }
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static Batch parts(List<Path> inputs) {
    return rgrid.batch(BatchSpec.builder(RunSpec.builder(part).build()).inputs(inputs)
        .parallel(4).build());
  }

  private static Batch fed(BatchId parent, String glob) {
    return rgrid.batch(BatchSpec.builder(RunSpec.builder(twice).args("{}", "--x={{}}").build())
        .itemsFrom(parent, glob).parallel(4).build());
  }

  private static int stored() {
    return rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 1000)).items().size();
  }

  @Test
  void eachOfFiftyRunsTakesItsParentRunsOutputAndOnlyTheFailedOnesChildIsSkipped()
      throws Exception {
    Batch first = parts(fifty);
    // Submitted at once, while the parent batch runs.
    Batch second = fed(first.id(), "out/*.csv");
    BatchProgress parentDone = first.await();
    BatchProgress done = second.await(Duration.ofSeconds(180)).orElseThrow();
    assertThat(parentDone.failed()).isEqualTo(1);
    assertThat(done.total()).isEqualTo(50);
    assertThat(done.succeeded()).isEqualTo(49);
    assertThat(done.failed()).isEqualTo(1);
    // The store's view (rgrid batch status) agrees with the handle's.
    BatchProgress stored = rgrid.batchProgress(second.id());
    assertThat(stored.done()).isTrue();
    assertThat(stored.succeeded()).isEqualTo(49);
    assertThat(stored.failed()).isEqualTo(1);

    Map<String, BatchItem> parentByFolder = new HashMap<>();
    first.items().forEach(i -> parentByFolder.put(i.folder(), i));
    for (BatchItem item : second.items()) {
      ExecutionRecord child = second.record(item);
      BatchItem parentItem = parentByFolder.get(item.folder());
      assertThat(parentItem).as("a parent run in folder %s", item.folder()).isNotNull();
      ExecutionRecord parent = first.record(parentItem);
      assertThat(child.transitions().get(0).status()).isEqualTo(ExecutionStatus.WAITING);
      if (parent.status() != ExecutionStatus.SUCCEEDED) {
        assertThat(item.folder()).isEqualTo("n17.txt");
        assertThat(child.status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(child.failure().message()).contains(parent.id().value());
        continue;
      }
      assertThat(child.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(child.startedAt()).isAfterOrEqualTo(parent.finishedAt());
      // {} became the output's path; {{}} a literal {}.
      assertThat(rgrid.logs(child.id(), 0, 100)).extracting(l -> l.text())
          .contains("arg: out/part.csv --x={}");
      var outputs = rgrid.outputs(child.id());
      assertThat(outputs).extracting(a -> a.path()).containsExactly("double.txt");
    }
    // Laid out under the parent's folder names, and the doubled numbers are right.
    Path dir = tmp.resolve("downloaded");
    rgrid.downloadBatch(second.id(), dir, false);
    assertThat(Files.readString(dir.resolve("n21.txt").resolve("double.txt"))).isEqualTo("42");
    assertThat(dir.resolve("n17.txt")).doesNotExist();

    // Again: the parents are cache hits, so the fed runs' keys are the same: cache hits too.
    Batch again = parts(fifty);
    Batch fedAgain = fed(again.id(), "out/*.csv");
    again.await();
    BatchProgress rerun = fedAgain.await(Duration.ofSeconds(180)).orElseThrow();
    assertThat(rerun.succeeded()).isEqualTo(49);
    assertThat(rerun.cached()).isEqualTo(49);
  }

  @Test
  void aFedRunStartsWhenItsOwnParentRunEndsWhileAnotherParentRunStillRuns() throws Exception {
    Path gate = tmp.resolve("overlap-gate");
    Path gated = Files.writeString(tmp.resolve("gated.py"), String.join("\n",
        "import os, sys, time",
        "text = open(sys.argv[1]).read()",
        "deadline = time.time() + 120",
        "while text == 'slow' and not os.path.exists(" + pythonString(gate) + ")"
            + " and time.time() < deadline:",
        "    time.sleep(0.05)",
        "open('part.csv', 'w').write('8' if text == 'slow' else text)",
        ""));
    Path in = Files.createDirectories(tmp.resolve("overlap-in"));
    Batch first = rgrid.batch(BatchSpec.builder(RunSpec.builder(gated).build())
        .inputs(List.of(Files.writeString(in.resolve("fast.txt"), "7"),
            Files.writeString(in.resolve("slow.txt"), "slow"))).parallel(2).build());
    Batch second = fed(first.id(), "part.csv");
    Map<String, BatchItem> byFolder = new HashMap<>();
    second.items().forEach(i -> byFolder.put(i.folder(), i));
    Execution fastChild = rgrid.execution(byFolder.get("fast.txt").executionId());
    // The slow parent run holds one worker until the gate opens; the other runs the fast one
    // and then its child: it ends while its batch's other parent run still runs.
    ExecutionRecord done = fastChild.await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    BatchItem slow = first.items().stream().filter(i -> i.folder().equals("slow.txt"))
        .findFirst().orElseThrow();
    assertThat(first.record(slow).status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(second.record(byFolder.get("slow.txt")).status())
        .isEqualTo(ExecutionStatus.WAITING);
    Files.writeString(gate, "open");
    assertThat(second.await(Duration.ofSeconds(60)).orElseThrow().succeeded()).isEqualTo(2);
  }

  @Test
  void aParentRunWithoutTheOutputOrWithTwoFailsItsChildSayingSo() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("odd"));
    Batch first = parts(List.of(Files.writeString(in.resolve("a.txt"), "none"),
        Files.writeString(in.resolve("b.txt"), "two"),
        Files.writeString(in.resolve("c.txt"), "3")));
    Batch second = fed(first.id(), "out/*.csv");
    BatchProgress done = second.await(Duration.ofSeconds(120)).orElseThrow();
    assertThat(done.succeeded()).isEqualTo(1);
    assertThat(done.failed()).isEqualTo(2);
    Map<String, ExecutionRecord> byFolder = new HashMap<>();
    second.items().forEach(i -> byFolder.put(i.folder(), second.record(i)));
    ExecutionRecord none = byFolder.get("a.txt");
    assertThat(none.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(none.failure().kind()).isEqualTo(FailureKind.INPUT_ERROR);
    assertThat(none.failure().message()).matches("exec_\\S+ produced no out/\\*\\.csv");
    ExecutionRecord two = byFolder.get("b.txt");
    assertThat(two.failure().message()).contains("produced 2 outputs matching out/*.csv",
        "out/other.csv", "out/part.csv");
    assertThat(byFolder.get("c.txt").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    // Retrying the failed runs only: they fail again the same way, and the batch is told so.
    List<Execution> retried = rgrid.retryBatch(second.id(), true);
    assertThat(retried).hasSize(2);
    for (Execution e : retried) {
      assertThat(e.await(Duration.ofSeconds(60)).orElseThrow().status())
          .isEqualTo(ExecutionStatus.FAILED);
    }
    BatchProgress after = rgrid.batchProgress(second.id());
    assertThat(after.done()).isTrue();
    assertThat(after.failed()).isEqualTo(2);
    assertThat(after.total()).isEqualTo(3);
  }

  @Test
  void aSkippedRunIsRetriedAfterItsParentRunWasAndThenWaitsForThatRetry() throws Exception {
    Path gate = tmp.resolve("gate");
    Path flaky = Files.writeString(tmp.resolve("flaky.py"), String.join("\n",
        "import os, sys",
        "text = open(sys.argv[1]).read()",
        "if text == 'flaky' and not os.path.exists(" + pythonString(gate) + "):",
        "    sys.exit(3)",
        "open('part.csv', 'w').write('5' if text == 'flaky' else text)",
        ""));
    Path in = Files.createDirectories(tmp.resolve("flaky-in"));
    Batch first = rgrid.batch(BatchSpec.builder(RunSpec.builder(flaky).build())
        .inputs(List.of(Files.writeString(in.resolve("a.txt"), "flaky"),
            Files.writeString(in.resolve("b.txt"), "4"))).parallel(2).build());
    Batch second = fed(first.id(), "part.csv");
    assertThat(second.await(Duration.ofSeconds(120)).orElseThrow().failed()).isEqualTo(1);
    // Its parent not retried yet: retrying the fed batch leaves the skipped run alone.
    assertThat(rgrid.retryBatch(second.id(), true)).isEmpty();

    Files.writeString(gate, "open");
    List<Execution> parentRetry = rgrid.retryBatch(first.id(), true);
    assertThat(parentRetry).hasSize(1);
    List<Execution> childRetry = rgrid.retryBatch(second.id(), true);
    assertThat(childRetry).hasSize(1);
    ExecutionRecord child = childRetry.get(0).await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(child.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(child.spec().parents().get(0).parent()).isEqualTo(parentRetry.get(0).id());
    BatchProgress after = rgrid.batchProgress(second.id());
    assertThat(after.succeeded()).isEqualTo(2);
    assertThat(after.failed()).isZero();
    Path dir = tmp.resolve("retried");
    rgrid.downloadBatch(second.id(), dir, false);
    assertThat(Files.readString(dir.resolve("a.txt/double.txt"))).isEqualTo("10");
  }

  private static String pythonString(Path p) {
    return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Test
  void hostileOrUnknownSourcesAreRefusedBeforeAnythingIsStored() throws Exception {
    Batch first = parts(List.of(fifty.get(1)));
    first.await();
    int before = stored();
    int batches = rgrid.batches(null, 1000).size();
    assertThatThrownBy(() -> fed(first.id(), "../secret.csv"))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("'..'");
    assertThatThrownBy(() -> fed(first.id(), "out/../../x"))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("outside its outputs");
    assertThatThrownBy(() -> fed(first.id(), "out/[")).isInstanceOf(
        InvalidRunSpecException.class).hasMessageContaining("not a valid glob");
    assertThatThrownBy(() -> fed(first.id(), " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relative path");
    assertThatThrownBy(() -> fed(first.id(), "/etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relative path");
    BatchId unknown = BatchId.generate(java.time.Instant.now(), new java.security.SecureRandom());
    assertThatThrownBy(() -> fed(unknown, "out/*.csv"))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("no batch " + unknown + " to take runs from");
    // Another account's batch is as unknown as one that does not exist.
    AccountView other = rgrid.account(AccountId.generate(java.time.Instant.now(), new java.security.SecureRandom()));
    BatchId theirs = other.createBatch("part.py", null, 1, 1, Map.of()).id();
    assertThatThrownBy(() -> fed(theirs, "out/*.csv"))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("no batch " + theirs + " to take runs from");
    // A batch of local files and another's runs at once is ambiguous.
    assertThatThrownBy(() -> BatchSpec.builder(RunSpec.builder(twice).build())
        .itemsFrom(first.id(), "out/*.csv").glob("*.txt").build())
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not both");
    assertThat(stored()).isEqualTo(before);
    assertThat(rgrid.batches(null, 1000)).hasSize(batches + 1); // only the other account's
  }

  @Test
  void anEndedRunFansOutOneRunPerMatchingOutputAndARunStillGoingIsRefused() throws Exception {
    Path split = Files.writeString(tmp.resolve("split.py"), String.join("\n",
        "import os, sys",
        "if len(sys.argv) > 1:",
        "    sys.exit(int(sys.argv[1]))",
        "os.makedirs('parts', exist_ok=True)",
        "for name, n in [('a.csv', 1), ('b.csv', 2), ('c[1].csv', 3), ('notes.txt', 0)]:",
        "    open('parts/' + name, 'w').write(str(n))",
        ""));
    ExecutionRecord parent = rgrid.run(RunSpec.builder(split).build()).await(
        Duration.ofSeconds(60)).orElseThrow();
    assertThat(parent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    Batch fanned = rgrid.batch(BatchSpec.builder(RunSpec.builder(twice).args("{}", "x")
        .build()).itemsFrom(parent.id(), "parts/*.csv").parallel(2).build());
    BatchProgress done = fanned.await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.total()).isEqualTo(3);
    assertThat(done.succeeded()).isEqualTo(3);
    assertThat(fanned.items()).extracting(BatchItem::folder)
        .containsExactly("a.csv", "b.csv", "c[1].csv");
    Path dir = tmp.resolve("fanned");
    rgrid.downloadBatch(fanned.id(), dir, false);
    assertThat(Files.readString(dir.resolve("b.csv/double.txt"))).isEqualTo("4");
    assertThat(dir.resolve("c[1].csv/double.txt")).hasContent("6");

    int before = stored();
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(RunSpec.builder(twice).build())
        .itemsFrom(parent.id(), "parts/*.json").build()))
        .isInstanceOf(NoMatchException.class)
        .hasMessage(parent.id() + " produced no parts/*.json");
    ExecutionRecord failed = rgrid.run(RunSpec.builder(split).args("3").build())
        .await(Duration.ofSeconds(60)).orElseThrow();
    before = stored();
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(RunSpec.builder(twice).build())
        .itemsFrom(failed.id(), "parts/*.csv").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("ended FAILED");
    assertThat(stored()).isEqualTo(before);
    // A parent that has not ended is fanned out from once it does: LaterFanOutTest.
  }

  @Test
  void aRunOutsideABatchCannotFillItsArgumentsFromAParent() throws Exception {
    Execution parent = rgrid.run(RunSpec.builder(part).args(fifty.get(2).toString()).build());
    parent.await();
    RunSpec run = new RunSpec(twice, List.of("{}"), List.of(), Map.of(), null, null, Map.of(),
        null, false, null, null, tmp, null, true, true, null, Map.of(),
        List.of(dev.rgrid.spi.store.ParentLink.item(parent.id(), "out/part.csv")));
    assertThatThrownBy(() -> rgrid.run(run)).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("only a run of a batch fed by another batch's runs");
  }

  @Test
  void aFanOutWhoseFirstRunIsRefusedLeavesNoBatchBehind() throws Exception {
    Path split = Files.writeString(tmp.resolve("split-two.py"), String.join("\n",
        "import os",
        "os.makedirs('parts', exist_ok=True)",
        "for name in ['a.csv', 'b.csv']:",
        "    open('parts/' + name, 'w').write('1')",
        ""));
    ExecutionRecord parent = rgrid.run(RunSpec.builder(split).build()).await(
        Duration.ofSeconds(60)).orElseThrow();
    assertThat(parent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    Path empty = Files.writeString(tmp.resolve("empty.py"), "");
    int before = rgrid.batches(null, 100).size();
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(RunSpec.builder(empty).build())
        .itemsFrom(parent.id(), "parts/*.csv").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is empty");
    assertThat(rgrid.batches(null, 100)).hasSize(before);
  }
}
