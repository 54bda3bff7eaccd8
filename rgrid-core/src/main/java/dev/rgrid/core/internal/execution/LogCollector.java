package dev.rgrid.core.internal.execution;

import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.Limits;
import dev.rgrid.core.internal.secret.SecretMasker;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a running script's output: passes the raw bytes to the listener at once, keeps the exact
 * bytes of each stream (up to a cap) for the record, and turns them into numbered lines that are
 * stored in batches (up to a cap, then a truncation marker). Storing never blocks on the listener.
 * The run's secret values are masked ({@link SecretMasker}) before any of these sees the bytes, so
 * the listener (the CLI's terminal), the exact copy and the lines all show {@code ***} instead.
 */
final class LogCollector implements OutputSink {
  private static final Logger LOG = LoggerFactory.getLogger(LogCollector.class);
  private static final int BATCH_LINES = 500;
  // Lines of continuous output wait at most this long to be stored (and seen by live followers):
  // 100 ms gave a p99 of 107 ms to a WebSocket client, 25 ms about 30 ms, at four times the
  // commits (see docs/benchmarks.md). The first line after a pause is stored at once anyway.
  private static final Duration FLUSH_EVERY = Duration.ofMillis(25);

  private final ExecutionId id;
  private final MetadataStore store;
  private final BlobStore blobs;
  private final Clock clock;
  private final ExecutionListener listener;
  private final long maxLogBytes;
  private final long maxRawBytes;
  private final StreamState out;
  private final StreamState err;
  private final List<LogLine> pending = new ArrayList<>();
  private long seq;
  private long storedBytes;
  private boolean truncated;
  private Instant lastFlush;
  private final Path workspace;
  /** Why the exact bytes were cut short, noted in the log at the end; null when they were not. */
  private String cutShort;

  /** Per-stream state; touched only by that stream's reader thread until {@link #finish}. */
  private final class StreamState {
    final LogStream stream;
    final LineSplitter splitter;
    final SecretMasker.Filter masking;
    final Path rawFile;
    /** Opened at the first byte: most scripts leave a stream empty, and files cost inodes. */
    OutputStream raw;
    long rawBytes;
    boolean rawDropped;

    StreamState(LogStream stream, Path rawFile, int maxLineBytes, SecretMasker masker) {
      this.stream = stream;
      this.masking = masker.filter();
      this.rawFile = rawFile;
      this.splitter = new LineSplitter(maxLineBytes, text -> line(stream, text));
    }
  }

  /**
   * A collector for one attempt; {@code firstRun} when nothing of this execution can have been
   * logged before (its first attempt's first start), which saves asking the store.
   */
  LogCollector(ExecutionId id, MetadataStore store, BlobStore blobs, Clock clock, Limits limits,
      ExecutionListener listener, Path tmpDir, boolean firstRun) {
    this(id, store, blobs, clock, limits, listener, tmpDir, firstRun, SecretMasker.NONE);
  }

  /** As the other constructor, the output masked by {@code masker}. */
  LogCollector(ExecutionId id, MetadataStore store, BlobStore blobs, Clock clock, Limits limits,
      ExecutionListener listener, Path tmpDir, boolean firstRun, SecretMasker masker) {
    this.id = id;
    this.store = store;
    this.blobs = blobs;
    this.clock = clock;
    this.listener = listener;
    this.maxLogBytes = limits.maxLogBytes();
    this.maxRawBytes = limits.maxRawOutputBytes();
    // A later attempt continues the numbering, so the lines of earlier attempts stay.
    this.seq = firstRun ? 0 : store.lastLogSeq(id);
    this.lastFlush = clock.instant();
    this.workspace = tmpDir.getParent() == null ? tmpDir : tmpDir.getParent();
    this.out = new StreamState(LogStream.STDOUT, tmpDir.resolve("stdout"),
        limits.maxLineBytes(), masker);
    this.err = new StreamState(LogStream.STDERR, tmpDir.resolve("stderr"),
        limits.maxLineBytes(), masker);
  }

  @Override
  public void write(Stream stream, byte[] bytes, int offset, int length) {
    StreamState s = stream == Stream.STDOUT ? out : err;
    if (length <= 0) {
      return;
    }
    s.masking.write(bytes, offset, length, (b, o, l) -> masked(s, b, o, l));
  }

  /** Output with the secrets masked: to the listener, the exact copy and the lines. */
  private void masked(StreamState s, byte[] bytes, int offset, int length) {
    byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
    safely(() -> listener.onOutput(s.stream, copy));
    if (s.rawBytes >= maxRawBytes) {
      s.rawDropped = true;
    } else {
      int keep = (int) Math.min(length, maxRawBytes - s.rawBytes);
      try {
        if (s.raw == null) {
          s.raw = dev.rgrid.core.PrivateFiles.newOutputStream(s.rawFile);
        }
        s.raw.write(bytes, offset, keep);
        s.rawBytes += keep;
        s.rawDropped = keep < length;
      } catch (IOException e) {
        RuntimeException failure = Workspace.failure("keeping the script's " + s.stream
            + " bytes", workspace, e);
        if (!(failure instanceof dev.rgrid.spi.StorageFullException)) {
          throw failure;
        }
        // Only the exact copy is lost: the lines still reach the store and the listener.
        s.rawDropped = true;
        s.rawBytes = maxRawBytes;
        synchronized (this) {
          cutShort = "the exact output bytes were cut short: " + failure.getMessage();
        }
      }
    }
    s.splitter.write(bytes, offset, length);
    flushIfDue();
  }

  private void line(LogStream stream, String text) {
    LogLine line;
    synchronized (this) {
      if (truncated) {
        return;
      }
      long size = text.getBytes(StandardCharsets.UTF_8).length + 1L;
      if (storedBytes + size > maxLogBytes) {
        truncated = true;
        line = new LogLine(++seq, LogStream.SYSTEM, clock.instant(), "[rgrid] log truncated: "
            + "more than " + maxLogBytes + " bytes of output; later lines are not stored");
      } else {
        storedBytes += size;
        line = new LogLine(++seq, stream, clock.instant(), text);
      }
      pending.add(line);
    }
    safely(() -> listener.onLogLine(line));
  }

  /** Stores pending lines if the batch is full or the last store was a while ago. */
  void flushIfDue() {
    List<LogLine> batch;
    synchronized (this) {
      Instant now = clock.instant();
      if (pending.isEmpty() || (pending.size() < BATCH_LINES
          && Duration.between(lastFlush, now).compareTo(FLUSH_EVERY) < 0)) {
        return;
      }
      batch = new ArrayList<>(pending);
      pending.clear();
      lastFlush = now;
    }
    store.appendLogs(id, batch);
  }

  /** Result of the capture. */
  record Captured(boolean truncated, BlobKey stdout, BlobKey stderr) {}

  /** Ends both streams, stores the remaining lines and the exact bytes. Call after the readers end. */
  Captured finish() {
    out.masking.flush((b, o, l) -> masked(out, b, o, l));
    err.masking.flush((b, o, l) -> masked(err, b, o, l));
    out.splitter.finish();
    err.splitter.finish();
    List<LogLine> batch;
    synchronized (this) {
      if (cutShort != null) {
        pending.add(new LogLine(++seq, LogStream.SYSTEM, clock.instant(), "[rgrid] " + cutShort));
      }
      batch = new ArrayList<>(pending);
      pending.clear();
    }
    if (!batch.isEmpty()) {
      store.appendLogs(id, batch);
    }
    BlobKey stdout = storeRaw(out);
    BlobKey stderr = storeRaw(err);
    synchronized (this) {
      return new Captured(truncated || out.rawDropped || err.rawDropped, stdout, stderr);
    }
  }

  private BlobKey storeRaw(StreamState s) {
    try {
      if (s.raw == null) {
        return null;
      }
      s.raw.close();
      if (s.rawBytes == 0) {
        return null;
      }
      try (InputStream in = Files.newInputStream(s.rawFile)) {
        return blobs.put(in).key();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the script's " + s.stream + " bytes", e);
    }
  }

  /** Stores one of RGrid's own notes as a log line after the script's output. */
  void note(String text) {
    LogLine line;
    synchronized (this) {
      line = new LogLine(++seq, LogStream.SYSTEM, clock.instant(), "[rgrid] " + text);
    }
    store.appendLogs(id, List.of(line));
    safely(() -> listener.onLogLine(line));
  }

  /** Closes the capture files without storing anything (the run was abandoned). */
  void discard() {
    try {
      if (out.raw != null) {
        out.raw.close();
      }
      if (err.raw != null) {
        err.raw.close();
      }
    } catch (IOException e) {
      LOG.debug("closing capture files of {}", id, e);
    }
  }

  private void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // A listener's bug must not break the run or lose the log.
      LOG.warn("execution listener failed for {}", id, e);
    }
  }
}
