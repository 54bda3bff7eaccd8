package dev.rgrid.core.internal.cache;

import dev.rgrid.core.ExecutionListener;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a listener the output of a reused result as if the script had just run: the exact
 * stdout and stderr bytes, then the stored lines.
 */
public final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);
  private static final int CHUNK = 64 * 1024;
  private static final int PAGE = 1000;

  private Replay() {}

  /**
   * Gives {@code listener} the output of {@code hit}, the result reused for its execution: its
   * bytes from {@code blobs}, its lines from {@code store}.
   */
  public static void output(MetadataStore store, BlobStore blobs, ExecutionRecord hit,
      ExecutionListener listener) {
    if (listener == ExecutionListener.NONE) {
      return;
    }
    try {
      bytes(blobs, hit.stdout(), LogStream.STDOUT, listener);
      bytes(blobs, hit.stderr(), LogStream.STDERR, listener);
      long cursor = 0;
      while (true) {
        List<LogLine> lines = store.logs(ResultCache.logSource(hit), cursor, PAGE);
        for (LogLine line : lines) {
          listener.onLogLine(line);
          cursor = line.seq();
        }
        if (lines.size() < PAGE) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("execution listener failed for {}", hit.id(), e);
    }
  }

  private static void bytes(BlobStore blobs, BlobKey key, LogStream stream,
      ExecutionListener listener) {
    if (key == null) {
      return;
    }
    try (InputStream in = blobs.open(key)) {
      byte[] chunk;
      while ((chunk = in.readNBytes(CHUNK)).length > 0) {
        listener.onOutput(stream, chunk);
      }
    } catch (IOException e) {
      LOG.warn("cannot replay the {} of {}: {}", stream, key, e.toString());
    }
  }
}
