package dev.rgrid.core;

import dev.rgrid.core.internal.blob.FileBlobStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GcWhileBatchRuns} on the embedded default: SQLite and the file blob store, whose old
 * blobs are stored through a store whose clock is two hours behind.
 */
class GcWhileBatchRunsTest {
  private static final int RUNS = 300;

  @TempDir Path dir;

  @Test
  void everyOutputOfA300RunBatchDownloadsAndVerifiesWhileCollectionsRunInALoop()
      throws Exception {
    Path blobsDir = dir.resolve("blobs");
    FileBlobStore past = new FileBlobStore(blobsDir,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)));
    try (LocalRGrid rgrid = RGrid.builder().home(dir.resolve("home")).engine("process")
        .workers(4).blobs(new FileBlobStore(blobsDir)).build()) {
      GcWhileBatchRuns.check(rgrid, content -> past.put(new ByteArrayInputStream(content)).key(),
          dir.resolve("work"), RUNS);
    }
  }
}
