package dev.rgrid.backend.minio;

import dev.rgrid.core.GcWhileBatchRuns;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.blob.BlobKey;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GcWhileBatchRuns} on the shared backends: PostgreSQL (embedded binaries) and S3
 * (S3Proxy). A blob looks old to the collector when its object's file in S3Proxy's directory is
 * two hours old, since that is where the server takes an object's last-modified time from.
 */
class PgS3GcWhileBatchRunsTest {
  private static final int RUNS = 300;

  @TempDir Path root;

  @Test
  void everyOutputOfA300RunBatchDownloadsAndVerifiesWhileCollectionsRunInALoop()
      throws Exception {
    Path s3Dir = Files.createDirectories(root.resolve("s3"));
    String bucket = S3TestServer.newBucket();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        S3TestServer server = S3TestServer.start(s3Dir);
        S3BlobStore s3 = S3BlobStore.open(server.settings(bucket));
        LocalRGrid rgrid = RGrid.builder().home(root.resolve("home"))
            .sharedState(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres")
            .blobs(s3).engine("process").workers(4).build()) {
      FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
      GcWhileBatchRuns.check(rgrid, content -> {
        BlobKey key = s3.put(new ByteArrayInputStream(content)).key();
        Files.setLastModifiedTime(s3Dir.resolve(bucket).resolve(S3BlobStore.objectName(key)),
            old);
        return key;
      }, root.resolve("work"), RUNS);
    }
  }
}
