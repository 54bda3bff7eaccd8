package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches through the library, on the process runtime. */
class BatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path home;
  @TempDir Path src;
  private RGrid rgrid;
  private Path script;

  @BeforeEach
  void open() throws Exception {
    rgrid = RGrid.builder().home(home).workers(6).build();
    // Upper-cases its input into out.txt; an input saying 'fail' fails until the flag exists.
    script = Files.writeString(src.resolve("upper.py"), String.join("\n",
        "import os, sys",
        "text = open(sys.argv[-1]).read()",
        "if 'fail' in text and not os.path.exists(os.environ.get('FLAG', '/nonexistent')):",
        "    print('refusing ' + sys.argv[-1], file=sys.stderr)",
        "    sys.exit(3)",
        "open('out.txt', 'w').write(text.upper())",
        "print('args', sys.argv[1:])",
        ""));
  }

  @AfterEach
  void close() {
    rgrid.close();
  }

  private Path file(String name, String content) throws Exception {
    Path p = src.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private RunSpec.Builder each() {
    return RunSpec.builder(script).baseDirectory(src);
  }

  @Test
  void runsEachInputOnceIsolatingFailuresAndPlacesOutputsPerInput() throws Exception {
    file("a/data.csv", "alpha");
    file("b/data.csv", "beta");
    file("c.csv", "gamma");
    file("d.csv", "please fail");
    List<ExecutionRecord> ended = new ArrayList<>();
    Batch batch = rgrid.batch(BatchSpec.builder(each().build()).glob("**/*.csv").parallel(2)
        .listener(new BatchListener() {
          @Override
          public synchronized void onItemEnded(BatchItem item, ExecutionRecord record) {
            ended.add(record);
          }
        }).build());

    BatchProgress done = batch.await(DEADLINE).orElseThrow();
    assertThat(done.total()).isEqualTo(4);
    assertThat(done.succeeded()).isEqualTo(3);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.queued() + done.running()).isZero();
    assertThat(done.done()).isTrue();
    assertThat(ended).hasSize(4);
    assertThat(batch.items()).extracting(BatchItem::folder)
        .containsExactly("a_data.csv", "b_data.csv", "c.csv", "d.csv");
    for (BatchItem item : batch.items()) {
      ExecutionRecord r = batch.record(item);
      assertThat(r.spec().batchId()).isEqualTo(batch.id().value());
    }
    ExecutionRecord failed = batch.record(batch.items().get(3));
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.exitCode()).isEqualTo(3);

    Path out = src.resolve("outputs");
    List<Path> written = batch.downloadOutputs(out, false);
    assertThat(written).hasSize(3);
    assertThat(Files.readString(out.resolve("a_data.csv/out.txt"))).isEqualTo("ALPHA");
    assertThat(Files.readString(out.resolve("b_data.csv/out.txt"))).isEqualTo("BETA");
    assertThat(Files.readString(out.resolve("c.csv/out.txt"))).isEqualTo("GAMMA");
    assertThat(out.resolve("d.csv")).doesNotExist();

    // Every input writes out.txt: --flat refuses, naming the clash, and writes nothing.
    Path flat = src.resolve("flat");
    assertThatThrownBy(() -> batch.downloadOutputs(flat, true))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("out.txt");
    assertThat(flat).doesNotExist();

    BatchProgress stored = rgrid.batchProgress(batch.id());
    assertThat(stored.succeeded()).isEqualTo(3);
    assertThat(stored.failed()).isEqualTo(1);
    assertThat(stored.total()).isEqualTo(4);
    assertThat(rgrid.batchRecord(batch.id()).parallel()).isEqualTo(2);
  }

  @Test
  void neverRunsMoreThanParallelAtOnce() throws Exception {
    for (int i = 0; i < 12; i++) {
      file("in/" + i + ".txt", "x" + i);
    }
    // Each run marks itself in a shared directory while it runs and records how many it saw.
    Path marks = Files.createDirectories(src.resolve("marks"));
    Path seen = src.resolve("seen.log");
    Path counting = Files.writeString(src.resolve("count.py"), String.join("\n",
        "import os, sys, time",
        "marks = os.environ['MARKS']",
        "me = os.path.join(marks, str(os.getpid()))",
        "open(me, 'w').close()",
        "time.sleep(0.3)",
        "with open(os.environ['SEEN'], 'a') as f: f.write('%d\\n' % len(os.listdir(marks)))",
        "os.remove(me)",
        ""));
    AtomicInteger peak = new AtomicInteger();
    Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(counting).baseDirectory(src)
        .env("MARKS", marks.toString()).env("SEEN", seen.toString()).cache(false).build())
        .glob("in/*.txt").parallel(2).listener(new BatchListener() {
          @Override
          public void onProgress(BatchProgress p) {
            peak.accumulateAndGet(p.running(), Math::max);
          }
        }).build());
    BatchProgress done = batch.await(DEADLINE).orElseThrow();
    assertThat(done.succeeded()).isEqualTo(12);
    List<Integer> counts = Files.readAllLines(seen).stream().map(Integer::parseInt).toList();
    assertThat(counts).hasSize(12).allSatisfy(n -> assertThat(n).isBetween(1, 2));
    assertThat(peak.get()).isBetween(1, 2);
  }

  @Test
  void placesTheInputWhereTheBracesStandAndRerunsFromTheCache() throws Exception {
    file("x.txt", "one");
    file("-dash.txt", "two");
    RunSpec template = each().args("--mode={{}}", "--in", "{}").build();
    Batch first = rgrid.batch(BatchSpec.builder(template).glob("*.txt").build());
    first.await(DEADLINE);
    for (BatchItem item : first.items()) {
      ExecutionRecord r = first.record(item);
      assertThat(r.status()).as(r.failure() + " " + rgrid.logs(r.id(), 0, 10)).isEqualTo(
          ExecutionStatus.SUCCEEDED);
    }
    assertThat(first.await(DEADLINE).orElseThrow().succeeded()).isEqualTo(2);
    for (BatchItem item : first.items()) {
      String log = rgrid.logs(item.executionId(), 0, 100).stream().map(LogLine::text)
          .collect(Collectors.joining("\n"));
      assertThat(log).containsPattern("'--in', '[^']*/work/" + java.util.regex.Pattern.quote(
          item.input().getFileName().toString()) + "'").contains("'--mode={}'");
    }
    Batch again = rgrid.batch(BatchSpec.builder(template).glob("*.txt").build());
    BatchProgress rerun = again.await(DEADLINE).orElseThrow();
    assertThat(rerun.succeeded()).isEqualTo(2);
    assertThat(rerun.cached()).isEqualTo(2);
    assertThat(rerun.costMicros()).isZero();
    assertThat(again.id()).isNotEqualTo(first.id());
  }

  @Test
  void retriesOnlyTheFailedInputsInsideTheSameBatch() throws Exception {
    file("ok.txt", "fine");
    file("bad1.txt", "fail one");
    file("bad2.txt", "fail two");
    Path flag = src.resolve("fixed");
    RunSpec template = each().env("FLAG", flag.toString()).build();
    Batch batch = rgrid.batch(BatchSpec.builder(template).glob("*.txt").build());
    assertThat(batch.await(DEADLINE).orElseThrow().failed()).isEqualTo(2);

    Files.writeString(flag, "");
    List<Execution> retried = rgrid.retryBatch(batch.id(), true);
    assertThat(retried).hasSize(2);
    for (Execution e : retried) {
      ExecutionRecord r = e.await(DEADLINE).orElseThrow();
      assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r.spec().batchId()).isEqualTo(batch.id().value());
      assertThat(r.retryOf()).isNotNull();
    }
    BatchProgress after = rgrid.batchProgress(batch.id());
    assertThat(after.total()).isEqualTo(3);
    assertThat(after.succeeded()).isEqualTo(3);
    assertThat(after.failed()).isZero();
    // Nothing is left to retry: asking again creates nothing.
    assertThat(rgrid.retryBatch(batch.id(), true)).isEmpty();
    assertThat(rgrid.list(new ExecutionQuery(Set.of(), Map.of(), batch.id().value(), null, 100))
        .items()).hasSize(5);
  }

  @Test
  void cancelsWhatHasNotEnded() throws Exception {
    for (int i = 0; i < 6; i++) {
      file("slow/" + i + ".txt", "x");
    }
    Path sleeper = Files.writeString(src.resolve("sleep.py"), "import time\ntime.sleep(60)\n");
    Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(sleeper).baseDirectory(src)
        .cache(false).build()).glob("slow/*.txt").parallel(1).build());
    assertThat(rgrid.cancelBatch(batch.id())).isEqualTo(6);
    BatchProgress done = batch.await(DEADLINE).orElseThrow();
    assertThat(done.cancelled()).isEqualTo(6);
    assertThat(rgrid.batchProgress(batch.id()).cancelled()).isEqualTo(6);
    assertThat(rgrid.cancelBatch(batch.id())).isZero();
  }

  @Test
  void inputsNotSubmittedYetCountAsQueuedNeverAsFailed() throws Exception {
    LocalRGrid local = (LocalRGrid) rgrid;
    BatchRecord stored = local.account(AccountId.generate(java.time.Instant.now(),
        new java.util.Random(3))).createBatch("upper.py", null, 3, 2, Map.of());
    BatchProgress fresh = rgrid.batchProgress(stored.id());
    assertThat(fresh.total()).isEqualTo(3);
    assertThat(fresh.queued()).isEqualTo(3);
    assertThat(fresh.failed()).isZero();
    assertThat(fresh.done()).isFalse();
    assertThat(fresh.eta()).isEmpty();
  }

  @Test
  void awaitEndsWhenAnotherInstanceCancelsTheBatch() throws Exception {
    for (int i = 0; i < 4; i++) {
      file("slow/" + i + ".txt", "x");
    }
    Path sleeper = Files.writeString(src.resolve("sleep.py"), "import time\ntime.sleep(60)\n");
    Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(sleeper).baseDirectory(src)
        .cache(false).build()).glob("slow/*.txt").parallel(1).build());
    BatchItem first = batch.items().get(0);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (batch.record(first).status() != ExecutionStatus.RUNNING) {
      assertThat(System.nanoTime()).as("the first input runs").isLessThan(deadline);
      Thread.onSpinWait();
    }
    // Another process on the same state (as `rgrid cancel` from another shell): no event of
    // its reaches this instance's listeners; the store tells.
    try (RGrid other = RGrid.builder().home(home).workers(0).build()) {
      assertThat(other.cancelBatch(batch.id())).isEqualTo(4);
    }
    BatchProgress done = batch.await(DEADLINE).orElseThrow();
    assertThat(done.cancelled()).isEqualTo(4);
    assertThat(done.queued() + done.running()).isZero();
  }

  @Test
  void refusesBadBatchesBeforeSubmittingAnything() throws Exception {
    file("a.csv", "x");
    RunSpec t = each().build();
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(t).glob("*.parquet").build()))
        .isInstanceOf(NoMatchException.class).hasMessageContaining("'*.parquet'");
    for (int bad : new int[] {0, -1, 10_001, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> BatchSpec.builder(t).glob("*.csv").parallel(bad).build())
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("--parallel");
    }
    assertThatThrownBy(() -> BatchSpec.builder(t).build())
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("needs inputs");
    assertThatThrownBy(() -> BatchSpec.builder(each().stdin(new java.io.ByteArrayInputStream(
        new byte[1])).build()).glob("*.csv").build())
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("stdin");
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(t).inputs(List.of(src))
        .build())).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a file");
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(t).glob("*.csv").maxInputs(0)
        .build())).isInstanceOf(IllegalArgumentException.class);
    file("b.csv", "y");
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(t).glob("*.csv").maxInputs(1)
        .build())).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("more than 1");
    assertThatThrownBy(() -> rgrid.batchProgress(BatchId.generate(java.time.Instant.now(),
        new java.util.Random(1)))).isInstanceOf(NotFoundException.class);
    assertThat(rgrid.list(ExecutionQuery.latest(10)).items()).isEmpty();
  }

  @Test
  void aBatchWhoseFirstRunIsRefusedLeavesNoBatchBehind() throws Exception {
    file("a.csv", "alpha");
    file("b.csv", "beta");
    // An empty script passes the checks of the template and is refused with its first run,
    // after the batch was stored: that batch used to stay, counting both inputs queued for ever.
    Path empty = Files.writeString(src.resolve("empty.py"), "");
    int before = rgrid.batches(null, 100).size();
    assertThatThrownBy(() -> rgrid.batch(BatchSpec.builder(RunSpec.builder(empty)
        .baseDirectory(src).build()).glob("*.csv").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is empty");
    assertThat(rgrid.batches(null, 100)).hasSize(before);
  }
}
