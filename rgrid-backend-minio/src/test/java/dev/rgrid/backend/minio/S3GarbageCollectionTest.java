package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.ForwardingBlobStore;
import dev.rgrid.spi.blob.StoredBlob;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection with the blobs on S3 (S3Proxy): listing, discarding into {@code trash/},
 * batched purges that empty the bucket, and a put racing a discard that loses nothing.
 */
class S3GarbageCollectionTest {
  @TempDir static Path root;
  private static S3TestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(Files.createDirectories(root.resolve("s3")));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** The store with a step run just before each discard, where a racing put would land. */
  private static final class Racing extends ForwardingBlobStore {
    volatile Runnable beforeDiscard = () -> { };

    Racing(S3BlobStore s3) {
      super(s3);
    }

    @Override
    public int discard(Collection<BlobKey> keys) {
      beforeDiscard.run();
      return super.discard(keys);
    }
  }

  private static BlobKey put(S3BlobStore s3, String text) {
    return s3.put(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).key();
  }

  @Test
  void unreferencedBlobsAreListedDiscardedAndPurgedInBatchesUntilTheBucketIsEmpty()
      throws Exception {
    String bucket = S3TestServer.newBucket();
    try (S3BlobStore s3 = S3BlobStore.open(server.settings(bucket))) {
      long bytes = 0;
      for (int i = 0; i < 25; i++) {
        put(s3, "garbage " + i);
        bytes += ("garbage " + i).length();
      }
      List<StoredBlob> first = s3.list(null, 10);
      assertThat(first).hasSize(10);
      assertThat(s3.list(first.get(9).key(), 100)).hasSize(15);

      try (LocalRGrid rgrid = RGrid.builder().home(root.resolve("home-a")).blobs(s3).workers(0)
          .build()) {
        GcReport dry = rgrid.gc(new GcRequest(null, Duration.ZERO, true));
        assertThat(dry.blobsDeleted()).isEqualTo(25);
        assertThat(server.objects(bucket, "blobs/")).hasSize(25);

        GcReport real = rgrid.gc(new GcRequest(null, Duration.ZERO, false));
        assertThat(real.blobsDeleted()).isEqualTo(25);
        assertThat(real.bytesFreed()).isEqualTo(bytes);
      }
      assertThat(server.objects(bucket, "")).isEmpty();
    }
  }

  @Test
  void aBlobStoredByARunJustBeforeTheCollectorDiscardsItIsNotLost() throws Exception {
    String bucket = S3TestServer.newBucket();
    Path src = Files.createDirectories(root.resolve("src"));
    String text = "open('out.txt', 'w').write('kept')\n";
    Path script = Files.writeString(src.resolve("job.py"), text);
    try (S3BlobStore s3 = S3BlobStore.open(server.settings(bucket))) {
      BlobKey shared = put(s3, text); // stored earlier, by a run that is gone
      Racing racing = new Racing(s3);
      try (LocalRGrid rgrid = RGrid.builder().home(root.resolve("home-b")).blobs(racing)
          .engine("process").workers(1).build()) {
        List<Execution> runs = new ArrayList<>();
        // The collector has listed the script's blob as unreferenced; now a run stores it.
        racing.beforeDiscard = () -> runs.add(rgrid.run(RunSpec.builder(script)
            .baseDirectory(src).cache(false).build()));
        rgrid.gc(new GcRequest(null, Duration.ofMillis(1), false));
        racing.beforeDiscard = () -> { };
        assertThat(s3.discarded(null, 10)).extracting(StoredBlob::key).contains(shared);

        ExecutionRecord done = runs.get(0).await(Duration.ofSeconds(60)).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        try (InputStream in = s3.open(shared)) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        GcReport later = rgrid.gc(new GcRequest(null, Duration.ofMillis(1), false));
        assertThat(later.blobsDeleted()).isZero();
        Path out = root.resolve("out");
        runs.get(0).downloadOutputs(out);
        assertThat(out.resolve("out.txt")).hasContent("kept");
      }
      assertThat(server.objects(bucket, "blobs/"))
          .contains(S3BlobStore.objectName(shared));
    }
  }
}
