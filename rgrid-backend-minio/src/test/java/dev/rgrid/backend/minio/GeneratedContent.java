package dev.rgrid.backend.minio;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Pseudo-random content of a given length, made as it is read, so a test can store far more bytes
 * than it could hold; hashes what it hands out, and can fail with an IOException at a given
 * position, as a broken upload source does.
 */
final class GeneratedContent extends InputStream {
  private final long size;
  private final long failAt;
  private final SplittableRandom random;
  private final MessageDigest digest;
  private volatile long position;

  private GeneratedContent(long size, long failAt, long seed) {
    this.size = size;
    this.failAt = failAt;
    this.random = new SplittableRandom(seed);
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code size} bytes that read without failing. */
  static GeneratedContent of(long size, long seed) {
    return new GeneratedContent(size, Long.MAX_VALUE, seed);
  }

  /** Content of {@code size} bytes whose read fails once {@code failAt} bytes were handed out. */
  static GeneratedContent failingAt(long size, long failAt) {
    return new GeneratedContent(size, failAt, 1);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (position >= failAt) {
      throw new IOException("source failed at byte " + position);
    }
    if (position >= size) {
      return -1;
    }
    int n = (int) Math.min(len, Math.min(size - position, Math.min(failAt - position, 8192)));
    for (int i = 0; i < n; i += 8) {
      long r = random.nextLong();
      for (int j = i; j < Math.min(n, i + 8); j++, r >>>= 8) {
        b[off + j] = (byte) r;
      }
    }
    digest.update(b, off, n);
    position += n;
    return n;
  }

  /** How many bytes were handed out. */
  long position() {
    return position;
  }

  /** The hex SHA-256 of what was handed out; call once, at the end. */
  String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
