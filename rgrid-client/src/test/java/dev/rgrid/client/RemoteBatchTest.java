package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RGrid#batch} on a {@link RemoteRGrid}: batches formed here and run by a real server's
 * in-process workers (process runtime), with their progress, listener, outputs per input and
 * flat, cancellation and retry.
 */
class RemoteBatchTest {
  private static final Duration LONG = Duration.ofMinutes(2);

  @TempDir static Path home;
  @TempDir Path work;
  static TestServer server;
  static RGrid remote;

  @BeforeAll
  static void start() {
    server = TestServer.start(home);
    remote = RGrid.connect(server.uri(), server.key);
  }

  @AfterAll
  static void stop() {
    if (remote != null) {
      remote.close();
    }
    server.close();
  }

  private Path file(String name, String content) throws IOException {
    Path p = work.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private static BatchProgress await(Batch batch) throws InterruptedException {
    return batch.await(LONG).orElseThrow(() -> new AssertionError(batch + " never ended: "
        + batch.progress()));
  }

  /** Hears what a batch listener is told, from whatever thread tells it. */
  static final class Heard implements BatchListener {
    final Map<Integer, ExecutionRecord> ended = new ConcurrentHashMap<>();
    final List<Integer> endings = new CopyOnWriteArrayList<>();
    final List<BatchProgress> progress = new CopyOnWriteArrayList<>();

    @Override
    public void onItemEnded(BatchItem item, ExecutionRecord record) {
      endings.add(item.index());
      ended.put(item.index(), record);
    }

    @Override
    public void onProgress(BatchProgress p) {
      progress.add(p);
    }
  }

  @Test
  void runsEveryInputOnTheServerAndDownloadsOutputsPerInputAndFlat() throws Exception {
    Path script = file("upper.py", "import os, sys\nname = os.path.basename(sys.argv[1])\n"
        + "text = open(sys.argv[1]).read()\nprint('read', name)\n"
        + "open('upper-' + name, 'w').write(text.upper())\n");
    file("data/a.csv", "alpha\n");
    file("data/b.csv", "beta\n");
    file("data/sub/c.csv", "gamma\n");
    Heard heard = new Heard();
    Batch batch = remote.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(work)
        .label("team", "x").build()).glob("data/**/*.csv").parallel(2).listener(heard).build());

    BatchProgress done = await(batch);

    assertThat(done.total()).isEqualTo(3);
    assertThat(done.succeeded()).as("%s", done).isEqualTo(3);
    assertThat(done.failed() + done.cancelled() + done.queued() + done.running()).isZero();
    assertThat(done.done()).isTrue();
    // Inputs in path order, each in a folder of its own.
    assertThat(batch.items()).extracting(BatchItem::folder)
        .containsExactly("a.csv", "b.csv", "c.csv");
    assertThat(batch.items()).allSatisfy(item -> {
      assertThat(item.executionId()).isNotNull();
      ExecutionRecord r = batch.record(item);
      assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r.spec().batchId()).isEqualTo(batch.id().value());
      assertThat(r.spec().labels()).isEqualTo(Map.of("team", "x"));
    });
    // The listener heard every input end, once, before await returned.
    assertThat(heard.endings).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(heard.ended.values()).extracting(ExecutionRecord::status)
        .containsOnly(ExecutionStatus.SUCCEEDED);
    assertThat(heard.progress).isNotEmpty();

    BatchRecord record = remote.batchRecord(batch.id());
    assertThat(record.size()).isEqualTo(3);
    assertThat(record.parallel()).isEqualTo(2);
    assertThat(record.scriptName()).isEqualTo("upper.py");
    assertThat(record.labels()).isEqualTo(Map.of("team", "x"));
    assertThat(remote.batchProgress(batch.id()).succeeded()).isEqualTo(3);
    assertThat(remote.list(new ExecutionQuery(Set.of(), Map.of(), batch.id().value(), null, 10))
        .items()).extracting(ExecutionRecord::id).containsExactlyInAnyOrderElementsOf(
            batch.items().stream().map(BatchItem::executionId).toList());

    Path perInput = work.resolve("outputs");
    List<Path> written = batch.downloadOutputs(perInput, false);
    assertThat(written).hasSize(3);
    assertThat(perInput.resolve("a.csv/upper-a.csv")).hasContent("ALPHA");
    assertThat(perInput.resolve("b.csv/upper-b.csv")).hasContent("BETA");
    assertThat(perInput.resolve("c.csv/upper-c.csv")).hasContent("GAMMA");
    Path flat = work.resolve("flat");
    assertThat(batch.downloadOutputs(flat, true)).hasSize(3);
    try (Stream<Path> files = Files.list(flat)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("upper-a.csv", "upper-b.csv", "upper-c.csv");
    }
    assertThat(flat.resolve("upper-c.csv")).hasContent("GAMMA");
  }

  @Test
  void aFlatDownloadWhoseOutputsClashIsRefusedBeforeWritingAnything() throws Exception {
    Path script = file("same.py", "import sys\nopen('result.txt', 'w').write(sys.argv[1])\n");
    file("in/one.txt", "1");
    file("in/two.txt", "2");
    Batch batch = remote.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(work)
        .build()).glob("in/*.txt").parallel(2).build());
    assertThat(await(batch).succeeded()).isEqualTo(2);

    Path flat = work.resolve("flat");
    assertThatThrownBy(() -> batch.downloadOutputs(flat, true))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("result.txt")
        .hasMessageContaining("one.txt").hasMessageContaining("two.txt");
    assertThat(flat).doesNotExist();
    Path perInput = work.resolve("apart");
    batch.downloadOutputs(perInput, false);
    assertThat(Files.readString(perInput.resolve("one.txt/result.txt"))).endsWith("one.txt");
    assertThat(Files.readString(perInput.resolve("two.txt/result.txt"))).endsWith("two.txt");
  }

  @Test
  void cancelStopsEveryInputThatHasNotEnded() throws Exception {
    Path script = file("slow.py", "import time\ntime.sleep(600)\n");
    file("slow/1.txt", "1");
    file("slow/2.txt", "2");
    file("slow/3.txt", "3");
    Heard heard = new Heard();
    Batch batch = remote.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(work)
        .build()).glob("slow/*.txt").parallel(1).listener(heard).build());
    ExecutionId first = batch.items().get(0).executionId();
    TestServer.until(LONG, "the first input to run",
        () -> remote.find(first).orElseThrow().status() == ExecutionStatus.RUNNING);
    BatchProgress running = batch.progress();
    // At most one at a time: the others wait in the queue.
    assertThat(running.running()).isEqualTo(1);
    assertThat(running.queued()).isEqualTo(2);
    assertThat(batch.await(Duration.ofMillis(1))).isEmpty();

    assertThat(batch.cancel()).isEqualTo(3);

    BatchProgress done = await(batch);
    assertThat(done.cancelled()).isEqualTo(3);
    assertThat(heard.ended.values()).extracting(ExecutionRecord::status)
        .containsOnly(ExecutionStatus.CANCELLED).hasSize(3);
    assertThat(remote.cancelBatch(batch.id())).isZero();
  }

  @Test
  void retriesOnlyTheFailedInputsInsideTheBatch() throws Exception {
    // Fails on a bad input the first time only: the marker file remembers it ran.
    Path marker = work.resolve("bad-ran-once");
    Path script = file("check.py", "import os, sys\n"
        + "if 'bad' in open(sys.argv[1]).read() and not os.path.exists(sys.argv[2]):\n"
        + "    open(sys.argv[2], 'w').close()\n    sys.exit(2)\nprint('ok')\n");
    file("mixed/1.txt", "good");
    file("mixed/2.txt", "bad");
    file("mixed/3.txt", "good");
    Heard heard = new Heard();
    Batch batch = remote.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(work)
        .args("{}", marker.toString()).build()).glob("mixed/*.txt").parallel(3)
        .listener(heard).build());

    BatchProgress done = await(batch);
    assertThat(done.succeeded()).as("%s", done).isEqualTo(2);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(heard.ended.get(1).status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(heard.ended.get(1).exitCode()).isEqualTo(2);

    List<Execution> retried = remote.retryBatch(batch.id(), true);
    assertThat(retried).hasSize(1);
    ExecutionRecord again = retried.get(0).await(LONG).orElseThrow();
    assertThat(again.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(again.retryOf()).isEqualTo(batch.items().get(1).executionId());
    assertThat(again.spec().batchId()).isEqualTo(batch.id().value());
    // The retry stands for its input now; nothing is left to retry.
    BatchProgress after = remote.batchProgress(batch.id());
    assertThat(after.succeeded()).isEqualTo(3);
    assertThat(after.failed()).isZero();
    assertThat(remote.retryBatch(batch.id(), false)).isEmpty();
  }

  @Test
  void refusesWhatCannotFormABatchAndAnswersUnknownBatchesAsNotFound() throws Exception {
    Path script = file("plain.py", "print(1)\n");
    assertThatThrownBy(() -> remote.batch(BatchSpec.builder(RunSpec.builder(script)
        .baseDirectory(work).build()).glob("nothing/*.csv").build()))
        .isInstanceOf(InvalidRunSpecException.class);
    file("x/1.txt", "1");
    assertThatThrownBy(() -> remote.batch(BatchSpec.builder(RunSpec.builder(script)
        .baseDirectory(work).runtime("cobol85").build()).glob("x/*.txt").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("cobol85");
    BatchId missing = BatchId.of("batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    assertThatThrownBy(() -> remote.batchProgress(missing))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> remote.batchRecord(missing)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> remote.cancelBatch(missing)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> remote.retryBatch(missing, true))
        .isInstanceOf(NotFoundException.class);
    // Another account's batch is just as unknown.
    Batch mine = remote.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(work)
        .build()).glob("x/*.txt").parallel(1).build());
    try (RGrid other = RGrid.connect(server.uri(), server.newAccountKey("other"))) {
      assertThatThrownBy(() -> other.batchProgress(mine.id()))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> other.cancelBatch(mine.id()))
          .isInstanceOf(NotFoundException.class);
    }
    assertThat(await(mine).succeeded()).isEqualTo(1);
  }

  @Test
  void aBatchWhoseFirstRunIsRefusedIsTakenBackFromTheServer() throws Exception {
    file("e/1.txt", "1");
    file("e/2.txt", "2");
    // Passes the batch's creation, refused with its first run: the server's batch would stay,
    // counting both inputs as queued for ever.
    Path empty = file("empty.py", "");
    int before = remote.batches(null, 1000).size();
    assertThatThrownBy(() -> remote.batch(BatchSpec.builder(RunSpec.builder(empty)
        .baseDirectory(work).build()).glob("e/*.txt").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is empty");
    assertThat(remote.batches(null, 1000)).hasSize(before);
  }
}
