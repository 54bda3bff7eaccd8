package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store when its server is down, misconfigured or fails in the middle of an upload: one
 * clear error naming the endpoint and bucket (never the secret key), with a hint, and nothing half
 * stored. Already covered by {@link S3BlobStoreTest}: wrong keys at open, a server stopped between
 * calls, a source failing mid-put and an interrupted put.
 */
class S3OutageTest {
  private static final long MIB = 1024 * 1024;
  private static final long WAIT_SECONDS = 60;

  @TempDir Path dir;

  @Test
  void anEndpointWhereNoServerListensFailsTheOpenAsUnavailableNamingIt() throws Exception {
    S3Settings settings = S3Settings.of(closedLoopbackEndpoint(), "rgrid-blobs",
        S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY);

    assertThatThrownBy(() -> S3BlobStore.open(settings))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.backend()).isEqualTo("s3");
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains("cannot reach")
              .contains(settings.endpoint().toString()).contains("'rgrid-blobs'");
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("RGRID_S3_ENDPOINT"));
          assertThat(e.getCause()).isNotNull();
          assertThat(everythingShown(e)).doesNotContain(S3TestServer.SECRET_KEY);
        });
  }

  @Test
  void anRGridConfiguredWithAnUnreachableS3FailsToBuildRatherThanKeepBlobsOnDisk()
      throws Exception {
    URI endpoint = closedLoopbackEndpoint();
    Path home = homeWithS3(endpoint, "rgrid-blobs", S3TestServer.SECRET_KEY);

    assertThatThrownBy(() -> RGrid.builder().home(home).engine("process").build())
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains("cannot reach").contains(endpoint.toString());
          assertThat(e.hint()).isPresent();
          assertThat(everythingShown(e)).doesNotContain(S3TestServer.SECRET_KEY);
        });
    // A configured S3 store that is down must not silently become a file store.
    assertThat(home.resolve("blobs")).doesNotExist();
  }

  @Test
  void wrongKeysInTheConfigurationAreReportedAsRefusedCredentialsNotAsAnOutage()
      throws Exception {
    String wrongSecret = "wrong-secret-7a41c";
    try (RestartableS3Server server = RestartableS3Server.start(dir.resolve("s3"))) {
      Path home = homeWithS3(server.endpoint(), "rgrid-blobs", wrongSecret);

      assertThatThrownBy(() -> RGrid.builder().home(home).engine("process").build())
          .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
            assertOneClearLine(e);
            assertThat(e.getMessage()).contains("refused the credentials")
                .contains(server.endpoint().toString()).doesNotContain("cannot reach");
            // A configuration error: the hint is to fix the keys, not to wait and try again.
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
                .contains("RGRID_S3_ACCESS_KEY").contains("RGRID_S3_SECRET_KEY")
                .doesNotContainIgnoringCase("try again").doesNotContainIgnoringCase("run again"));
            assertThat(everythingShown(e)).doesNotContain(wrongSecret)
                .doesNotContain(S3TestServer.SECRET_KEY);
          });
      assertThat(home.resolve("blobs")).doesNotExist();
    }
  }

  @Test
  void anInvalidBucketNameInTheConfigurationIsAUsageErrorNamingTheBucket() throws Exception {
    Path home = homeWithS3(closedLoopbackEndpoint(), "Not_A_Bucket", S3TestServer.SECRET_KEY);

    // Checked before any connection: the name is wrong whether or not the server runs.
    assertThatThrownBy(() -> RGrid.builder().home(home).engine("process").build())
        .isInstanceOfSatisfying(RGridException.class, e -> {
          assertThat(e).isNotInstanceOf(BackendUnavailableException.class);
          assertOneClearLine(e);
          assertThat(e.getMessage()).contains("bucket name").contains("'Not_A_Bucket'");
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("s3."));
          assertThat(everythingShown(e)).doesNotContain(S3TestServer.SECRET_KEY);
        });
  }

  @Test
  void aBucketDeletedUnderAnOpenStoreFailsPutsAndReadsSayingSo() throws Exception {
    try (RestartableS3Server server = RestartableS3Server.start(dir.resolve("s3"))) {
      String bucket = S3TestServer.newBucket();
      try (S3BlobStore store = S3BlobStore.open(server.settings(bucket));
          MinioClient admin = MinioClient.builder().endpoint(server.endpoint().toString())
              .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY).build()) {
        admin.removeBucket(RemoveBucketArgs.builder().bucket(bucket).build());
        BlobKey key = new BlobKey("ab".repeat(32));

        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes("content"))))
            .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
              assertOneClearLine(e);
              assertThat(e.getMessage()).contains("bucket is gone").contains("'" + bucket + "'");
              assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
                  .contains("RGRID_S3_BUCKET"));
            });
        assertThatThrownBy(() -> store.open(key))
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("bucket is gone");
      }
    }
  }

  @Test
  void aServerStoppedInTheMiddleOfAnUploadLeavesNoBlobAndAPutAfterItsRestartSucceeds()
      throws Exception {
    long size = 64 * MIB;
    String bucket = S3TestServer.newBucket();
    try (RestartableS3Server server = RestartableS3Server.start(dir.resolve("s3"));
        S3BlobStore store = S3BlobStore.open(server.settings(bucket))) {
      CountDownLatch midway = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      // Past the first 16 MiB part the upload is a multipart upload with a part on the server;
      // the source holds there until the server is down, so the next part meets the outage.
      InputStream content = pausingAt(content(size), 40 * MIB, midway, stopped);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread putter = new Thread(() -> {
        try {
          store.put(content);
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "putter");
      putter.start();
      assertThat(midway.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("upload reached 40 MiB").isTrue();
      server.stop();
      stopped.countDown();
      putter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertThat(putter.isAlive()).as("put still running").isFalse();

      assertThat(failure.get()).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
        assertOneClearLine(e);
        assertThat(e.getMessage()).contains("cannot reach").contains(server.endpoint().toString())
            .contains("uploading");
        assertThat(e.hint()).isPresent();
        assertThat(everythingShown(e)).doesNotContain(S3TestServer.SECRET_KEY);
      });

      server.restart();
      BlobKey expected = new BlobKey(sha256(content(size)));
      assertThat(store.exists(expected)).isFalse();
      assertThat(server.objects(bucket, "")).as("no blob and no temporary object").isEmpty();
      // The abort could not reach the server either: at most the one upload to a temporary name
      // is left, invisible to readers, for the server's lifecycle rule to expire (documented).
      assertThat(server.openMultipartUploads(bucket)).allMatch(k -> k.startsWith("tmp/"))
          .hasSizeLessThanOrEqualTo(1);

      BlobInfo stored = store.put(content(size));
      assertThat(stored).isEqualTo(new BlobInfo(expected, size));
      try (InputStream in = store.open(expected)) {
        assertThat(sha256(in)).isEqualTo(expected.sha256());
      }
      String hex = expected.sha256();
      assertThat(server.objects(bucket, "")).containsExactly("blobs/" + hex.substring(0, 2)
          + "/" + hex);
    }
  }

  /**
   * The same {@code size} pseudo-random bytes on every call, however they are read: generated
   * content depends on the sizes of the reads, so this always asks it for whole 8 KiB chunks.
   */
  private static InputStream content(long size) {
    InputStream generated = GeneratedContent.of(size, 11);
    return new InputStream() {
      private final byte[] chunk = new byte[8192];
      private int position;
      private int limit;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (position == limit) {
          limit = generated.readNBytes(chunk, 0, chunk.length);
          position = 0;
          if (limit == 0) {
            return -1;
          }
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(chunk, position, b, off, n);
        position += n;
        return n;
      }
    };
  }

  /**
   * {@code in}, which once {@code at} bytes were read signals {@code reached} and then holds
   * until {@code release} (or a minute) before reading on.
   */
  private static InputStream pausingAt(InputStream in, long at, CountDownLatch reached,
      CountDownLatch release) {
    return new FilterInputStream(in) {
      private long read;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (read >= at && reached.getCount() > 0) {
          reached.countDown();
          try {
            if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
              throw new IOException("the test never released the source");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while held");
          }
        }
        // Never read across the pause point, so the pause comes exactly there.
        int n = super.read(b, off, read < at ? (int) Math.min(len, at - read) : len);
        read += Math.max(n, 0);
        return n;
      }
    };
  }

  /** A config.properties naming an S3 store, in a new state directory. */
  private Path homeWithS3(URI endpoint, String bucket, String secret) throws IOException {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("config.properties"), String.join("\n",
        "s3.endpoint=" + endpoint,
        "s3.bucket=" + bucket,
        "s3.access-key=" + S3TestServer.ACCESS_KEY,
        "s3.secret-key=" + secret,
        ""));
    return home;
  }

  /** An endpoint on loopback where nothing listens: a port just freed. */
  static URI closedLoopbackEndpoint() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  /** A message fit for the CLI's one-line error: present, single-line, not a class name. */
  static void assertOneClearLine(RGridException e) {
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n")
        .doesNotStartWith(e.getClass().getName()).doesNotContain("\tat ");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).isNotBlank()
        .doesNotContain("\n"));
  }

  /** The messages, hints and descriptions of an exception, its causes and suppressed ones. */
  static String everythingShown(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      if (t instanceof RGridException r) {
        text.append(r.hint().orElse("")).append('\n');
      }
      for (Throwable s : t.getSuppressed()) {
        text.append(everythingShown(s));
      }
    }
    return text.toString();
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      digest.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
