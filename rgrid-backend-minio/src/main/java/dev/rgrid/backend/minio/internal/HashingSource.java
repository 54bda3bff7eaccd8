package dev.rgrid.backend.minio.internal;

import dev.rgrid.spi.blob.BlobKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The caller's content as the upload reads it: hashed and counted on the way, with the caller's
 * own read failures recorded so they can be told apart from the server's, and a switch that makes
 * the next read fail so an interrupted put aborts its multipart upload.
 *
 * <p>The upload reads from one thread at a time, but not always the caller's: the client reads
 * later parts on its HTTP callback threads, hence the volatile fields. The final hash and size are
 * read only after the upload's future completed, which orders them after the last read.
 */
public final class HashingSource extends InputStream {
  private final InputStream content;
  private final MessageDigest digest;
  private long size;
  private volatile Throwable failure;
  private volatile boolean cancelled;

  /** Wraps {@code content}, which is read to its end and never closed. */
  public HashingSource(InputStream content) {
    this.content = Objects.requireNonNull(content, "content");
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (cancelled) {
      throw new InterruptedIOException("the put was interrupted");
    }
    int n;
    try {
      n = content.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
    if (n > 0) {
      digest.update(b, off, n);
      size += n;
    }
    return n;
  }

  /** Leaves the caller's stream open: it belongs to the caller, as the SPI says. */
  @Override
  public void close() {}

  /** Makes the next read fail, so the upload stops and aborts. */
  public void cancel() {
    cancelled = true;
  }

  /** The caller's stream's own failure, if reading it failed. */
  public Throwable failure() {
    return failure;
  }

  /** The number of bytes read so far. */
  public long size() {
    return size;
  }

  /** The key of the bytes read; call once, after the end was reached. */
  public BlobKey key() {
    return new BlobKey(HexFormat.of().formatHex(digest.digest()));
  }
}
