package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.runtime.OutputSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An output sink chosen later: what a warm container writes before a run takes it is kept (up to
 * a bound) and handed to the run's sink with everything after.
 */
final class LateSink implements OutputSink {
  private static final int MAX_KEPT = 64 * 1024;

  private record Pending(Stream stream, byte[] bytes, boolean closed) {}

  private final List<Pending> pending = new ArrayList<>();
  private int kept;
  private OutputSink target;

  /** From now on, writes go to {@code sink}, after what was kept. */
  synchronized void deliverTo(OutputSink sink) {
    target = sink;
    for (Pending p : pending) {
      if (p.closed()) {
        sink.closed(p.stream());
      } else {
        sink.write(p.stream(), p.bytes(), 0, p.bytes().length);
      }
    }
    pending.clear();
  }

  @Override
  public synchronized void write(Stream stream, byte[] bytes, int offset, int length) {
    if (target != null) {
      target.write(stream, bytes, offset, length);
    } else if (kept + length <= MAX_KEPT) {
      pending.add(new Pending(stream, Arrays.copyOfRange(bytes, offset, offset + length), false));
      kept += length;
    }
  }

  @Override
  public synchronized void closed(Stream stream) {
    if (target != null) {
      target.closed(stream);
    } else {
      pending.add(new Pending(stream, new byte[0], true));
    }
  }
}
