package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the S3 store does beyond the blob store contract, on a real S3 server. */
class S3BlobStoreTest {
  private static final long MIB = 1024 * 1024;

  @TempDir
  static Path root;
  private static S3TestServer server;

  private String bucket;
  private S3BlobStore blobs;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(root);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void openStore() {
    bucket = S3TestServer.newBucket();
    blobs = S3BlobStore.open(server.settings(bucket));
  }

  @AfterEach
  void closeStore() {
    blobs.close();
  }

  @Test
  void streamsContentOfUnknownLengthLargerThanTheHeapWithoutHoldingIt() throws Exception {
    long size = 320 * MIB;
    // The pom runs the tests with a small heap, so buffering the content would fail here.
    assertThat(Runtime.getRuntime().maxMemory()).as("test heap (-Xmx in the pom)").isLessThan(size);
    GeneratedContent content = GeneratedContent.of(size, 42);

    BlobInfo info = blobs.put(content);

    assertThat(info.size()).isEqualTo(size);
    assertThat(info.key().sha256()).isEqualTo(content.sha256());
    MessageDigest read = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream in = blobs.open(info.key())) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) >= 0; total += n) {
        read.update(buf, 0, n);
      }
    }
    assertThat(total).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(info.key().sha256());
    String hex = info.key().sha256();
    assertThat(server.objects(bucket, "")).containsExactly("blobs/" + hex.substring(0, 2) + "/"
        + hex);
  }

  @Test
  void storesTheSameContentOnceAndEachPutCopiesItIntoPlaceAgainToRefreshIt() throws Exception {
    byte[] content = randomBytes(300_000);
    int copiesBefore = server.copies();

    BlobInfo first = blobs.put(new ByteArrayInputStream(content));
    BlobInfo second = blobs.put(new ByteArrayInputStream(content));

    assertThat(second).isEqualTo(first);
    // The second copy refreshes the blob's time (garbage collection counts it young again).
    assertThat(server.copies() - copiesBefore).isEqualTo(2);
    assertThat(server.objects(bucket, "")).hasSize(1).allMatch(name -> name.startsWith("blobs/"));
  }

  @Test
  void presignedUrlDownloadsWithPlainHttpAndATamperedOneIsRefused() throws Exception {
    byte[] content = "printed by a script\n".getBytes(StandardCharsets.UTF_8);
    BlobKey key = blobs.put(new ByteArrayInputStream(content)).key();
    BlobKey other = blobs.put(new ByteArrayInputStream(randomBytes(10))).key();
    assertThat(blobs.capabilities().presignedUrls()).isTrue();

    URI url = blobs.presignedGet(key, Duration.ofMinutes(5));

    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    HttpResponse<byte[]> ok = get(url);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo(content);
    String text = url.toString();
    int signature = text.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
    char last = text.charAt(signature);
    URI badSignature = URI.create(text.substring(0, signature) + (last == '0' ? '1' : '0')
        + text.substring(signature + 1));
    URI otherBlob = URI.create(text.replace(key.sha256(), other.sha256())
        .replace("/" + key.sha256().substring(0, 2) + "/", "/" + other.sha256().substring(0, 2)
            + "/"));
    assertThat(get(badSignature).statusCode()).isEqualTo(403);
    assertThat(get(otherBlob).statusCode()).isEqualTo(403);
  }

  @Test
  void presignedUrlsLastFromOneSecondToSevenDays() {
    BlobKey key = new BlobKey("ab".repeat(32));
    assertThat(blobs.presignedGet(key, Duration.ofDays(7)).getQuery())
        .contains("X-Amz-Expires=604800");
    assertThatThrownBy(() -> blobs.presignedGet(key, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> blobs.presignedGet(key, Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 days");
  }

  @Test
  void wrongCredentialsFailWithAHintAboutTheKeys() {
    String wrongSecret = "not-the-secret-5d1e";
    S3Settings wrong = S3Settings.of(server.endpoint(), bucket, S3TestServer.ACCESS_KEY,
        wrongSecret);
    S3Settings unknownKey = S3Settings.of(server.endpoint(), bucket, "nobody", wrongSecret);

    for (S3Settings settings : List.of(wrong, unknownKey)) {
      assertThatThrownBy(() -> S3BlobStore.open(settings))
          .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
            assertThat(e.backend()).isEqualTo("s3");
            assertThat(e.getMessage()).contains(server.endpoint().toString())
                .contains("'" + bucket + "'").contains("credentials");
            assertThat(e.hint()).hasValueSatisfying(hint -> assertThat(hint)
                .contains("RGRID_S3_ACCESS_KEY").contains("RGRID_S3_SECRET_KEY"));
            assertThat(everythingShown(e)).doesNotContain(wrongSecret)
                .doesNotContain(S3TestServer.SECRET_KEY);
          });
    }
  }

  @Test
  void aStoppedServerMakesTheStoreUnavailable(@TempDir Path own) throws Exception {
    S3TestServer stopping = S3TestServer.start(own);
    S3Settings settings = stopping.settings(S3TestServer.newBucket());
    try (S3BlobStore store = S3BlobStore.open(settings)) {
      BlobKey key = store.put(new ByteArrayInputStream(randomBytes(100))).key();
      stopping.close();

      for (Runnable call : List.<Runnable>of(() -> store.exists(key), () -> store.open(key),
          () -> store.put(new ByteArrayInputStream(randomBytes(100))),
          () -> S3BlobStore.open(settings))) {
        assertThatThrownBy(call::run)
            .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
              assertThat(e.getMessage()).contains("cannot reach")
                  .contains(settings.endpoint().toString()).contains(settings.bucket());
              assertThat(e.hint()).hasValueSatisfying(hint -> assertThat(hint)
                  .contains("RGRID_S3_ENDPOINT"));
            });
      }
    }
  }

  @ParameterizedTest(name = "failing after {0} bytes")
  @ValueSource(longs = {3 * MIB, 40 * MIB})
  void aSourceFailingMidwayLeavesNoBlobNoTemporaryObjectAndNoUpload(long failAt)
      throws Exception {
    GeneratedContent content = GeneratedContent.failingAt(64 * MIB, failAt);

    assertThatThrownBy(() -> blobs.put(content))
        .isInstanceOf(RGridException.class)
        .isNotInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("source failed at byte " + failAt);

    assertThat(content.position()).isEqualTo(failAt);
    assertThat(server.objects(bucket, "")).isEmpty();
    assertThat(server.openMultipartUploads(bucket)).isZero();
  }

  @Test
  void anInterruptedPutLeavesNoBlobAndKeepsTheInterrupt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    InputStream slow = new FilterInputStream(GeneratedContent.of(1024 * MIB, 7)) {
      private long read;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (read > 20 * MIB) { // past the first part: the upload runs as a multipart upload
          started.countDown();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        int n = super.read(b, off, len);
        read += Math.max(n, 0);
        return n;
      }
    };
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread putter = new Thread(() -> {
      try {
        blobs.put(slow);
      } catch (Throwable e) {
        failure.set(e);
      }
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    putter.start();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    putter.interrupt();
    putter.join(60_000);

    assertThat(putter.isAlive()).isFalse();
    assertThat(failure.get()).isInstanceOf(RGridException.class)
        .hasMessageContaining("interrupted");
    assertThat(stillInterrupted).isTrue();
    assertThat(server.objects(bucket, "")).isEmpty();
    assertThat(server.openMultipartUploads(bucket)).isZero();
  }

  @Test
  void createsAMissingBucketAndReusesAnExistingOne() throws Exception {
    BlobKey key = blobs.put(new ByteArrayInputStream(randomBytes(1000))).key();
    try (S3BlobStore again = S3BlobStore.open(server.settings(bucket))) {
      assertThat(again.exists(key)).isTrue();
    }
  }

  @Test
  void removesOnlyStaleTemporaryObjectsWhenOpened() throws Exception {
    BlobKey key = blobs.put(new ByteArrayInputStream(randomBytes(1000))).key();
    server.putObject(bucket, "tmp/left-by-a-dead-process", randomBytes(10));

    S3BlobStore.open(server.settings(bucket)).close();
    assertThat(server.objects(bucket, "tmp/")).containsExactly("tmp/left-by-a-dead-process");

    Clock twoDaysLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));
    S3BlobStore.open(server.settings(bucket), twoDaysLater).close();
    assertThat(server.objects(bucket, "tmp/")).isEmpty();
    assertThat(blobs.exists(key)).isTrue();
  }

  @Test
  void saysWhichBucketLacksABlob() {
    BlobKey missing = new BlobKey("cd".repeat(32));
    assertThatThrownBy(() -> blobs.open(missing)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(missing.sha256()).hasMessageContaining("'" + bucket + "'");
  }

  private static HttpResponse<byte[]> get(URI url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random().nextBytes(bytes);
    return bytes;
  }

  /** The messages, hints and descriptions of an exception and all its causes. */
  private static String everythingShown(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      if (t instanceof RGridException r) {
        text.append(r.hint().orElse("")).append('\n');
      }
    }
    return text.toString();
  }
}
