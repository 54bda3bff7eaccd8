package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Garbage collection running over and over while a batch with a shared input runs on the local
 * process runtime, for any store and blob store: the shared input was stored long ago and is
 * unreferenced when the batch starts (the case a put-versus-delete race would lose), yet every
 * run gets it and every kept execution's output downloads and verifies; old garbage is set aside
 * meanwhile. Each backend's test gives an instance and a way to store blobs that look old.
 */
public final class GcWhileBatchRuns {
  private static final Duration DEADLINE = Duration.ofMinutes(4);
  /** The blobs' grace in the loop: what {@link OldBlobs} stores is older. */
  public static final Duration GRACE = Duration.ofMinutes(30);
  private static final Duration PAUSE = Duration.ofMillis(100);

  private GcWhileBatchRuns() {}

  /** Stores blobs that look stored more than {@link #GRACE} ago, by runs that are gone. */
  @FunctionalInterface
  public interface OldBlobs {
    /** Stores {@code content} and makes it look old. */
    BlobKey put(byte[] content) throws Exception;
  }

  /**
   * Runs a batch of {@code runs} trivial bash scripts on {@code rgrid} (process runtime, a few
   * workers) while its garbage is collected in a loop, then checks every output.
   *
   * @param dir an empty directory for the sources and downloads
   */
  public static void check(LocalRGrid rgrid, OldBlobs old, Path dir, int runs)
      throws Exception {
    String shared = "shared input\n".repeat(1000);
    old.put(shared.getBytes(StandardCharsets.UTF_8));
    List<BlobKey> garbage = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      garbage.add(old.put(("garbage " + i).getBytes(StandardCharsets.UTF_8)));
    }
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("shared.txt"), shared);
    for (int i = 0; i < runs; i++) {
      Files.writeString(src.resolve("item" + i + ".txt"), "item " + i);
    }
    // bash starts in milliseconds, so that the batch's time is the engine's and the collector's.
    Path script = Files.writeString(src.resolve("join.sh"),
        "s=$(<shared.txt)\nprintf '%s:%s' \"${#s}\" \"$(<\"$1\")\" > out.txt\n");

    CountDownLatch done = new CountDownLatch(1);
    AtomicLong collections = new AtomicLong();
    AtomicLong discarded = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread loop = new Thread(() -> {
      try {
        do {
          GcReport r = rgrid.gc(new GcRequest(Duration.ofDays(1), GRACE, false));
          discarded.addAndGet(r.blobsDiscarded());
          collections.incrementAndGet();
          // A breath between collections, ended at once by the batch's end: back to back they
          // only took the batch's CPU on a small machine, and a race needs them often, not
          // without pause.
        } while (!done.await(PAUSE.toMillis(), TimeUnit.MILLISECONDS));
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "gc-loop");
    loop.start();
    Batch batch;
    BatchProgress progress;
    try {
      batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).runtime("bash")
          .baseDirectory(src).inputs(src.resolve("shared.txt")).args("{}").build())
          .glob("item*.txt").parallel(4).build());
      progress = batch.await(DEADLINE).orElseThrow();
    } finally {
      done.countDown();
      loop.join(DEADLINE.toMillis());
    }
    assertThat(failure.get()).isNull();
    assertThat(collections.get()).isGreaterThan(1);
    assertThat(progress.succeeded()).isEqualTo(runs);

    Path out = dir.resolve("outputs");
    batch.downloadOutputs(out, false);
    assertThat(batch.items()).hasSize(runs);
    for (BatchItem item : batch.items()) {
      String name = item.input().getFileName().toString();
      assertThat(out.resolve(item.folder()).resolve("out.txt"))
          .hasContent((shared.length() - 1) + ":" + Files.readString(src.resolve(name)));
    }
    assertThat(discarded.get()).isGreaterThanOrEqualTo(garbage.size());
    Set<BlobKey> live = new HashSet<>();
    BlobKey after = null;
    for (List<StoredBlob> page; !(page = rgrid.blobStore().list(after, 1000)).isEmpty(); ) {
      page.forEach(b -> live.add(b.key()));
      after = page.get(page.size() - 1).key();
    }
    assertThat(live).doesNotContainAnyElementsOf(garbage);
  }
}
