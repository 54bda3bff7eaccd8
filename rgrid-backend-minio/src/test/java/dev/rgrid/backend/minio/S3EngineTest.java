package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeping its blobs on S3, the store chosen from {@code config.properties} (the {@code
 * s3.*} keys) through the provider found on the class path.
 */
class S3EngineTest {
  @TempDir Path dir;

  @Test
  void aRunsScriptInputsAndOutputsTravelThroughS3() throws Exception {
    try (S3TestServer server = S3TestServer.start(Files.createDirectories(dir.resolve("s3")))) {
      String bucket = S3TestServer.newBucket();
      Path home = Files.createDirectories(dir.resolve("home"));
      Files.writeString(home.resolve("config.properties"), String.join("\n",
          "s3.endpoint=" + server.endpoint(),
          "s3.bucket=" + bucket,
          "s3.access-key=" + S3TestServer.ACCESS_KEY,
          "s3.secret-key=" + S3TestServer.SECRET_KEY,
          ""));
      Path src = Files.createDirectories(dir.resolve("src"));
      Path script = Files.writeString(src.resolve("upper.py"), "import sys\n"
          + "open('out.txt', 'w').write(open(sys.argv[1]).read().upper())\nprint('done')\n");
      Files.writeString(src.resolve("in.txt"), "through s3");
      try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").build()) {
        Execution e = rgrid.run(RunSpec.builder(script).baseDirectory(src).args("in.txt")
            .build());
        ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Path out = dir.resolve("out");
        e.downloadOutputs(out);
        assertThat(out.resolve("out.txt")).hasContent("THROUGH S3");
        assertThat(rgrid.logs(done.id(), 0, 10)).extracting(l -> l.text()).contains("done");
      }
      // Script, input, output and stdout are objects in the bucket; nothing went to the disk.
      assertThat(server.objects(bucket, "blobs/")).hasSizeGreaterThanOrEqualTo(4);
      assertThat(home.resolve("blobs")).doesNotExist();
    }
  }
}
