package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeping its blobs on S3, the store chosen from {@code config.properties} (the {@code
 * s3.*} keys) through the provider found on the class path.
 */
class S3EngineTest {
  @TempDir Path dir;

  /** A home whose {@code config.properties} keeps the blobs in {@code bucket} of {@code server}. */
  private Path home(S3TestServer server, String bucket) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("config.properties"), String.join("\n",
        "s3.endpoint=" + server.endpoint(),
        "s3.bucket=" + bucket,
        "s3.access-key=" + S3TestServer.ACCESS_KEY,
        "s3.secret-key=" + S3TestServer.SECRET_KEY,
        ""));
    return home;
  }

  @Test
  void aRunsScriptInputsAndOutputsTravelThroughS3() throws Exception {
    try (S3TestServer server = S3TestServer.start(Files.createDirectories(dir.resolve("s3")))) {
      String bucket = S3TestServer.newBucket();
      Path home = home(server, bucket);
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

  @Test
  void aSecretReachesTheBucketOnlyInTheOutputTheScriptWroteItTo() throws Exception {
    String value = "s3-Secret-7d41e9";
    Path root = Files.createDirectories(dir.resolve("s3"));
    try (S3TestServer server = S3TestServer.start(root)) {
      Path home = home(server, S3TestServer.newBucket());
      Path src = Files.createDirectories(dir.resolve("src"));
      Path script = Files.writeString(src.resolve("leak.py"), String.join("\n",
          "import os, sys",
          "v = os.environ['TOKEN']",
          "print('token ' + v)",
          "print(v, file=sys.stderr)",
          "open('kept.txt', 'w').write(v)",
          "open('clean.txt', 'w').write('nothing here')",
          ""));
      try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").build()) {
        rgrid.secrets().set("TOKEN", value.getBytes(StandardCharsets.UTF_8));
        Execution e = rgrid.run(RunSpec.builder(script).secret("TOKEN").build());
        ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(rgrid.logs(done.id(), 0, 10)).extracting(l -> l.text())
            .contains("token ***", "***");
      }
      // S3Proxy's file system back end keeps each object as a file under root: the value is in
      // exactly one, the output the script wrote it to (stdout and stderr are stored masked).
      List<Path> holding = new ArrayList<>();
      byte[] needle = value.getBytes(StandardCharsets.UTF_8);
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          if (contains(Files.readAllBytes(file), needle)) {
            holding.add(file);
          }
        }
      }
      assertThat(holding).hasSize(1);
      assertThat(holding.get(0)).hasContent(value);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
