package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that wait for a whole batch through the library, embedded on the process runtime: fan-in
 * of every run's output, a failed run skipping the child, and batch parents checked before
 * anything is stored.
 */
class BatchParentsTest {
  @TempDir static Path tmp;
  private static LocalRGrid rgrid;
  private static Path part;
  private static Path count;
  private static List<Path> fifty;

  @BeforeAll
  static void open() throws IOException {
    rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process").workers(2).build();
    // Each run writes part.csv from its input; an input saying "fail" fails its run.
    part = Files.writeString(tmp.resolve("part.py"), String.join("\n",
        "import sys",
        "text = open(sys.argv[1]).read()",
        "if text == 'fail':",
        "    sys.exit(3)",
        "open('part.csv', 'w').write(text)",
        ""));
    // The child counts the part.csv files it was given and sums them.
    count = Files.writeString(tmp.resolve("count.py"), String.join("\n",
        "import os",
        "found = sorted(os.path.join(d, f) for d, _, fs in os.walk('.') for f in fs",
        "               if f == 'part.csv')",
        "print('files:', len(found))",
        "print('first:', found[0] if found else None)",
        "print('sum:', sum(int(open(p).read()) for p in found))",
        ""));
    Path in = Files.createDirectories(tmp.resolve("in"));
    fifty = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fifty.add(Files.writeString(in.resolve(String.format("n%02d.txt", i)), Integer.toString(i)));
    }
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static ExecutionRecord await(Execution e) throws InterruptedException {
    return e.await(Duration.ofSeconds(120)).orElseThrow();
  }

  private static Batch batch(List<Path> inputs) {
    return rgrid.batch(BatchSpec.builder(RunSpec.builder(part).build()).inputs(inputs)
        .parallel(4).build());
  }

  private static int stored() {
    return rgrid.list(new ExecutionQuery(Set.of(), Map.of(), null, null, 1000)).items().size();
  }

  /** Runs {@code spec}'s builder with a listener; returns the record and what it printed. */
  private static Map.Entry<ExecutionRecord, String> runPrinting(RunSpec.Builder builder)
      throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Execution e = rgrid.run(builder.listener(new ExecutionListener() {
      @Override
      public void onOutput(dev.rgrid.spi.store.LogStream stream, byte[] bytes) {
        out.writeBytes(bytes);
      }
    }).build());
    return Map.entry(await(e), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aChildTakesThePartOfEachOfFiftyRunsUnderItsInputsFolderAndARerunIsACacheHit()
      throws Exception {
    Batch first = batch(fifty);
    // Submitted at once, while the batch runs: it waits for the batch's last run.
    var child = runPrinting(RunSpec.builder(count).from(first.id(), "**/part.csv"));
    assertThat(first.await().failed()).isZero();
    ExecutionRecord fanIn = child.getKey();
    assertThat(fanIn.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(fanIn.transitions().get(0).status()).isEqualTo(ExecutionStatus.WAITING);
    for (BatchItem item : first.items()) {
      assertThat(fanIn.startedAt()).isAfterOrEqualTo(first.record(item).finishedAt());
    }
    assertThat(child.getValue()).contains("files: 50", "first: ./n00.txt/part.csv",
        "sum: 1225");
    // The same inputs again: every run a cache hit, the same outputs, so the same child key.
    Batch again = batch(fifty);
    assertThat(again.await().cached()).isEqualTo(50);
    var rerun = runPrinting(RunSpec.builder(count).from(again.id(), "**/part.csv"));
    assertThat(rerun.getKey().cacheKey()).isEqualTo(fanIn.cacheKey());
    assertThat(rerun.getKey().cached()).isTrue();
    assertThat(rerun.getKey().cachedFrom()).isEqualTo(fanIn.id());
    assertThat(rerun.getValue()).contains("files: 50");
  }

  @Test
  void aFailedRunSkipsTheChildNamingTheBatchAndABatchWithoutTheOutputFailsIt() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("mixed"));
    List<Path> inputs = List.of(Files.writeString(in.resolve("a.txt"), "1"),
        Files.writeString(in.resolve("b.txt"), "fail"), Files.writeString(in.resolve("c.txt"), "2"));
    Batch failing = batch(inputs);
    Execution skipped = rgrid.run(RunSpec.builder(count).after(failing.id()).build());
    ExecutionRecord r = await(skipped);
    assertThat(r.status()).isEqualTo(ExecutionStatus.SKIPPED);
    assertThat(r.failure().kind()).isEqualTo(FailureKind.PARENT_FAILED);
    assertThat(r.failure().message()).contains(failing.id().value()).contains("FAILED");
    Batch ok = batch(inputs.subList(0, 1));
    ExecutionRecord missing = await(rgrid.run(RunSpec.builder(count)
        .from(ok.id(), "**/summary.csv").build()));
    assertThat(missing.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(missing.failure().kind()).isEqualTo(FailureKind.INPUT_ERROR);
    assertThat(missing.failure().message()).isEqualTo(ok.id() + " produced no **/summary.csv");
  }

  @Test
  void unknownBatchesAndHostileGlobsAreRefusedBeforeAnythingIsStored() throws Exception {
    BatchId unknown = BatchId.of("batch_01M800000000000000000000AA");
    Batch known = batch(fifty.subList(0, 1));
    known.await();
    int before = stored();
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(count).after(unknown).build()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("no batch " + unknown + " to wait for");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(count).from(known.id(), "[").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a valid glob");
    for (String glob : new String[] {"/etc/passwd", "a\0b", "a\\b", " ", "x".repeat(1025)}) {
      assertThatThrownBy(() -> RunSpec.builder(count).from(known.id(), glob))
          .as(glob).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(stored()).isEqualTo(before);
    // An ended batch releases its child at once.
    assertThat(await(rgrid.run(RunSpec.builder(count).after(known.id()).build())).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
  }
}
