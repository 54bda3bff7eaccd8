package dev.rgrid.backend.docker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A stdin whose bytes are given later: reads block until {@link #supply} (or end at once after
 * {@link #close}). A warm container's stdin feeder reads it from the start; the run that takes the
 * container supplies its launch lines and its own stdin.
 */
final class LateStdin extends InputStream {
  private static final InputStream EMPTY = InputStream.nullInputStream();
  private final CompletableFuture<InputStream> source = new CompletableFuture<>();

  /** Hands over the bytes; the first call wins. */
  void supply(InputStream bytes) {
    if (!source.complete(bytes)) {
      close(bytes);
    }
  }

  @Override
  public int read() throws IOException {
    return source().read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return source().read(b, off, len);
  }

  @Override
  public void close() {
    if (!source.complete(EMPTY)) {
      close(source.getNow(EMPTY));
    }
  }

  private InputStream source() throws IOException {
    try {
      return source.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the run");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  private static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Nothing is lost: the stream was never read.
    }
  }
}
