package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.spi.blob.BlobKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection running over and over while a batch with a shared input runs on the local
 * process runtime: the shared input was stored long ago and is unreferenced when the batch starts
 * (the case a put-versus-delete race would lose), yet every run gets it and every output comes
 * back intact; old garbage is set aside meanwhile.
 */
class GcWhileBatchRunsTest {
  private static final int RUNS = 40;
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void everyOutputDownloadsAndVerifiesWhileCollectionsRunInALoop() throws Exception {
    Path blobsDir = dir.resolve("blobs");
    String shared = "shared input\n".repeat(1000);
    // Stored two hours ago, by runs that are gone: old and unreferenced.
    FileBlobStore past = new FileBlobStore(blobsDir,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)));
    past.put(new ByteArrayInputStream(shared.getBytes(StandardCharsets.UTF_8)));
    List<BlobKey> garbage = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      garbage.add(past.put(new ByteArrayInputStream(("garbage " + i).getBytes(
          StandardCharsets.UTF_8))).key());
    }

    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("shared.txt"), shared);
    for (int i = 0; i < RUNS; i++) {
      Files.writeString(src.resolve("item" + i + ".txt"), "item " + i);
    }
    Path script = Files.writeString(src.resolve("join.py"), "import sys\n"
        + "s = open('shared.txt').read()\n"
        + "open('out.txt', 'w').write(str(len(s)) + ':' + open(sys.argv[1]).read())\n");

    try (LocalRGrid rgrid = RGrid.builder().home(dir.resolve("home")).engine("process")
        .workers(4).blobs(new FileBlobStore(blobsDir)).build()) {
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong collections = new AtomicLong();
      AtomicLong discarded = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread loop = new Thread(() -> {
        try {
          while (!done.get()) {
            GcReport r = rgrid.gc(new GcRequest(Duration.ofDays(1), Duration.ofMinutes(30),
                false));
            discarded.addAndGet(r.blobsDiscarded());
            collections.incrementAndGet();
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "gc-loop");
      loop.start();
      Batch batch;
      BatchProgress progress;
      try {
        batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
            .inputs(src.resolve("shared.txt")).args("{}").build()).glob("item*.txt")
            .parallel(4).build());
        progress = batch.await(DEADLINE).orElseThrow();
      } finally {
        done.set(true);
        loop.join(DEADLINE.toMillis());
      }
      assertThat(failure.get()).isNull();
      assertThat(collections.get()).isGreaterThan(1);
      assertThat(progress.succeeded()).isEqualTo(RUNS);

      Path out = dir.resolve("outputs");
      batch.downloadOutputs(out, false);
      for (BatchItem item : batch.items()) {
        String name = item.input().getFileName().toString();
        assertThat(out.resolve(item.folder()).resolve("out.txt"))
            .hasContent(shared.length() + ":" + Files.readString(src.resolve(name)));
      }
      assertThat(discarded.get()).isGreaterThanOrEqualTo(garbage.size());
      for (BlobKey k : garbage) {
        assertThat(rgrid.blobStore().list(null, 1000)).extracting(b -> b.key())
            .doesNotContain(k);
      }
    }
  }
}
