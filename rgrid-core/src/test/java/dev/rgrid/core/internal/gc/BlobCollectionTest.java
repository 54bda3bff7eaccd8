package dev.rgrid.core.internal.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.GcSettings;
import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.config.SharedStates;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.Resources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blob collection on the file store and the embedded database: unreferenced old blobs go in two
 * steps, and a blob stored or looked up by a submission at the very moment the collector discards
 * it is never lost (the put-versus-delete race, interleaved step by step).
 */
class BlobCollectionTest {
  private static final byte[] SHARED = "the shared input".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private final ShiftedClock clock = new ShiftedClock();
  private final List<AutoCloseable> owned = new ArrayList<>();
  private MetadataStore store;
  private FileBlobStore files;
  private InterleavingBlobs blobs;
  private GarbageCollector gc;

  @BeforeEach
  void open() {
    store = SharedStates.state(null, null, null, dir.resolve("rgrid.db"), owned).store();
    files = new FileBlobStore(dir.resolve("blobs"), clock);
    blobs = new InterleavingBlobs(files);
    gc = new GarbageCollector(store, blobs, clock, GcSettings.DEFAULTS);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : owned) {
      c.close();
    }
  }

  private BlobKey put(byte[] bytes) {
    return blobs.put(new ByteArrayInputStream(bytes)).key();
  }

  /** A blob stored two hours ago (older than the grace period). */
  private BlobKey oldBlob(byte[] bytes) {
    clock.shift(Duration.ofHours(-2));
    try {
      return put(bytes);
    } finally {
      clock.shift(Duration.ofHours(2));
    }
  }

  /** What a submission records after storing its blobs: an execution whose script is {@code k}. */
  private void submitUsing(BlobKey k) {
    ExecutionSpec spec = new ExecutionSpec("job.py", k, "python3.11", List.of(), Map.of(),
        List.of(), Duration.ofMinutes(1), Map.of(), null, new Resources(1000, 256L << 20), false);
    store.create(ExecutionRecord.queued(ExecutionId.generate(clock.instant(), new Random()), spec,
        clock.instant()));
  }

  private byte[] read(BlobKey k) throws IOException {
    try (InputStream in = blobs.open(k)) {
      return in.readAllBytes();
    }
  }

  private long bytesOnDisk() throws IOException {
    try (Stream<Path> all = Files.walk(dir.resolve("blobs"))) {
      return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void aBlobStoredAgainJustBeforeTheCollectorDiscardsItIsNeverLost() throws Exception {
    BlobKey shared = oldBlob(SHARED);
    // The collector has listed the blob as old and unreferenced; now a submission stores the
    // same content (finding it present) and then records the execution that uses it.
    blobs.beforeDiscard = () -> assertThat(put(SHARED)).isEqualTo(shared);
    GcReport first = gc.collect(GcRequest.configured());
    blobs.beforeDiscard = () -> { };
    submitUsing(shared);

    assertThat(first.blobsDiscarded()).isEqualTo(1);
    assertThat(read(shared)).isEqualTo(SHARED); // the worker's download
    clock.shift(Duration.ofHours(3));
    GcReport later = gc.collect(GcRequest.configured());
    assertThat(later.blobsDeleted()).isZero();
    assertThat(blobs.exists(shared)).isTrue();
    assertThat(blobs.discarded(null, 10)).isEmpty();
    assertThat(read(shared)).isEqualTo(SHARED);
  }

  @Test
  void aBlobLookedUpJustBeforeTheCollectorDiscardsItComesBackWhenItsReferenceIsRecorded()
      throws Exception {
    BlobKey shared = oldBlob(SHARED);
    blobs.beforeDiscard = () -> assertThat(blobs.exists(shared)).isTrue();
    blobs.afterDiscard = () -> submitUsing(shared);
    gc.collect(GcRequest.configured());
    blobs.beforeDiscard = () -> { };
    blobs.afterDiscard = () -> { };

    // Set aside, but the next collection (a grace period later) sees the reference: restored.
    clock.shift(Duration.ofHours(3));
    GcReport later = gc.collect(GcRequest.configured());
    assertThat(later.blobsRestored()).isEqualTo(1);
    assertThat(later.blobsDeleted()).isZero();
    assertThat(blobs.list(null, 10)).extracting(b -> b.key()).contains(shared);
    assertThat(read(shared)).isEqualTo(SHARED);
  }

  @Test
  void aBlobStoredJustAfterTheDiscardStaysInPlace() throws Exception {
    BlobKey shared = oldBlob(SHARED);
    blobs.afterDiscard = () -> put(SHARED);
    gc.collect(GcRequest.configured());
    assertThat(blobs.list(null, 10)).extracting(b -> b.key()).containsExactly(shared);
    assertThat(read(shared)).isEqualTo(SHARED);
  }

  @Test
  void unreferencedOldBlobsAreDeletedAGracePeriodAfterBeingSetAsideAndTheirSpaceComesBack()
      throws Exception {
    byte[] mib = new byte[1 << 20];
    List<BlobKey> garbage = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Arrays.fill(mib, (byte) i);
      garbage.add(oldBlob(mib));
    }
    BlobKey used = oldBlob(SHARED);
    submitUsing(used);
    BlobKey young = put("just stored".getBytes(StandardCharsets.UTF_8));
    long before = bytesOnDisk();

    GcReport dry = gc.collect(new GcRequest(null, null, true));
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.blobsDiscarded()).isEqualTo(3);
    assertThat(blobs.list(null, 10)).hasSize(5);
    assertThat(blobs.discarded(null, 10)).isEmpty();

    GcReport first = gc.collect(GcRequest.configured());
    assertThat(first.blobsDiscarded()).isEqualTo(3);
    assertThat(first.blobsDeleted()).isZero();
    assertThat(blobs.list(null, 10)).extracting(b -> b.key())
        .containsExactlyInAnyOrder(used, young);
    clock.shift(Duration.ofHours(2));
    GcReport second = gc.collect(GcRequest.configured());
    assertThat(second.blobsDeleted()).isEqualTo(3);
    assertThat(second.bytesFreed()).isEqualTo(3L << 20);
    assertThat(before - bytesOnDisk()).isEqualTo(3L << 20);
    for (BlobKey k : garbage) {
      assertThat(blobs.exists(k)).isFalse();
    }
    assertThat(read(used)).isEqualTo(SHARED);
  }

  @Test
  void aZeroGraceDeletesAtOnce() throws Exception {
    oldBlob(new byte[4096]);
    put(new byte[10]);
    GcReport r = gc.collect(new GcRequest(null, Duration.ZERO, false));
    assertThat(r.blobsDeleted()).isEqualTo(2);
    assertThat(r.bytesFreed()).isEqualTo(4106);
    assertThat(bytesOnDisk()).isZero();
  }

  @Test
  void listsBlobsInKeyOrderAPageAtATime() {
    List<BlobKey> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(put(("blob " + i).getBytes(StandardCharsets.UTF_8)));
    }
    keys.sort(java.util.Comparator.comparing(BlobKey::sha256));
    List<BlobKey> seen = new ArrayList<>();
    BlobKey after = null;
    for (var page = blobs.list(null, 7); !page.isEmpty(); page = blobs.list(after, 7)) {
      assertThat(page.size()).isLessThanOrEqualTo(7);
      page.forEach(b -> seen.add(b.key()));
      after = page.get(page.size() - 1).key();
    }
    assertThat(seen).containsExactlyElementsOf(keys);
  }
}
