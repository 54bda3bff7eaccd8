package dev.rgrid.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract every {@link BlobStore} passes. Extend it and return a fresh, empty store. */
public abstract class BlobStoreContract {
  protected BlobStore blobs;

  /** A new, empty blob store. */
  protected abstract BlobStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    blobs = newStore();
  }

  @AfterEach
  void closeStore() {
    blobs.close();
  }

  /** The lower-case hex SHA-256 of {@code bytes}. */
  protected static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void storesBytesUnderTheirSha256() throws Exception {
    byte[] content = "hello, ünïcødé\n\0binary".getBytes(StandardCharsets.UTF_8);
    BlobInfo info = blobs.put(new ByteArrayInputStream(content));
    assertThat(info.key().sha256()).isEqualTo(sha256(content));
    assertThat(info.size()).isEqualTo(content.length);
    assertThat(blobs.exists(info.key())).isTrue();
    assertThat(blobs.size(info.key())).contains((long) content.length);
    try (InputStream in = blobs.open(info.key())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void storesTheEmptyBlob() throws Exception {
    BlobInfo info = blobs.put(InputStream.nullInputStream());
    assertThat(info.key().sha256()).isEqualTo(sha256(new byte[0]));
    try (InputStream in = blobs.open(info.key())) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void storesTheSameContentOnce() throws Exception {
    byte[] content = "same".getBytes(StandardCharsets.UTF_8);
    BlobInfo a = blobs.put(new ByteArrayInputStream(content));
    BlobInfo b = blobs.put(new ByteArrayInputStream(content));
    assertThat(a).isEqualTo(b);
    assertThat(blobs.delete(a.key())).isTrue();
    assertThat(blobs.exists(a.key())).isFalse();
  }

  @Test
  void saysNotFoundForAnUnknownKey() {
    BlobKey unknown = Fixtures.key(99);
    assertThat(blobs.exists(unknown)).isFalse();
    assertThat(blobs.size(unknown)).isEmpty();
    assertThat(blobs.delete(unknown)).isFalse();
    assertThatThrownBy(() -> blobs.open(unknown)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void streamsALargeBlobInAndOut() throws Exception {
    long size = 64L << 20;
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    BlobInfo info;
    try (InputStream in = new Generated(size, Long.MAX_VALUE, expected)) {
      info = blobs.put(in);
    }
    assertThat(info.size()).isEqualTo(size);
    assertThat(info.key().sha256()).isEqualTo(HexFormat.of().formatHex(expected.digest()));
    MessageDigest actual = MessageDigest.getInstance("SHA-256");
    long read = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = blobs.open(info.key())) {
      for (int n; (n = in.read(buf)) > 0; ) {
        actual.update(buf, 0, n);
        read += n;
      }
    }
    assertThat(read).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(actual.digest())).isEqualTo(info.key().sha256());
  }

  @Test
  void leavesNothingBehindWhenTheSourceFailsMidway() throws Exception {
    MessageDigest partial = MessageDigest.getInstance("SHA-256");
    assertThatThrownBy(() -> blobs.put(new Generated(10L << 20, 3L << 20, partial)))
        .isInstanceOf(RGridException.class);
    BlobKey partialKey = new BlobKey(HexFormat.of().formatHex(partial.digest()));
    assertThat(blobs.exists(partialKey)).isFalse();
  }

  @Test
  void acceptsTheSameContentFromManyWritersAtOnce() throws Exception {
    byte[] content = new byte[1 << 20];
    new java.util.Random(7).nextBytes(content);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<BlobInfo>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(pool.submit(() -> blobs.put(new ByteArrayInputStream(content))));
    }
    for (Future<BlobInfo> f : futures) {
      assertThat(f.get(60, TimeUnit.SECONDS).key().sha256()).isEqualTo(sha256(content));
    }
    pool.shutdown();
    try (InputStream in = blobs.open(futures.get(0).get().key())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  /** A stream of pseudo-random bytes that fails with an IOException after {@code failAt} bytes. */
  private static final class Generated extends InputStream {
    private final long size;
    private final long failAt;
    private final MessageDigest digest;
    private final java.util.Random random = new java.util.Random(1);
    private long pos;

    Generated(long size, long failAt, MessageDigest digest) {
      this.size = size;
      this.failAt = failAt;
      this.digest = digest;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= failAt) {
        throw new IOException("source failed at byte " + pos);
      }
      if (pos >= size) {
        return -1;
      }
      int n = (int) Math.min(len, Math.min(size - pos, 8192));
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, b, off, n);
      digest.update(chunk);
      pos += n;
      return n;
    }
  }
}
