package dev.rgrid.core.internal.execution;

import dev.rgrid.core.Limits;
import dev.rgrid.core.internal.secret.SecretMasker;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the output a runtime kept of a lost attempt's leftover container (all of it, from the
 * start) and appends to the execution's log only the lines its worker had not stored before it
 * was lost, under a line that says where they come from. The split into lines is the one the
 * attempt's {@link LogCollector} made, so the first lines of each stream are those already
 * stored; when the last stored line of a stream does not match (the runtime kept only the end of
 * a long output), nothing is appended but a note that the rest could not be read back.
 */
final class RecoveredOutput implements OutputSink {
  private static final Logger LOG = LoggerFactory.getLogger(RecoveredOutput.class);

  private final MetadataStore store;
  private final Clock clock;
  private final Limits limits;
  private final ExecutionRecord lost;
  private final SecretMasker masker;
  private final Stream[] streams;
  private final List<LogLine> lines = new ArrayList<>();
  private long bytes;
  private boolean misaligned;
  private boolean truncated;
  private int open = 2;

  /** What is known of one stream: how much of it is stored, and the lines read back so far. */
  private final class Stream {
    final LogStream kind;
    final LineSplitter splitter;
    final SecretMasker.Filter masking = masker.filter();
    long stored;
    String lastStored;
    long read;

    Stream(LogStream kind) {
      this.kind = kind;
      this.splitter = new LineSplitter(limits.maxLineBytes(), this::line);
    }

    void line(String text) {
      read++;
      if (read < stored) {
        return;
      }
      if (read == stored) {
        misaligned |= !text.equals(lastStored);
        return;
      }
      bytes += text.getBytes(StandardCharsets.UTF_8).length + 1L;
      if (bytes > limits.maxLogBytes()) {
        truncated = true;
      } else if (!truncated) {
        lines.add(new LogLine(1, kind, clock.instant(), text));
      }
    }
  }

  /**
   * For {@code lost}, a RUNNING record whose worker is gone; reads what its attempt stored (the
   * lines at or after its start), and gives up at once when that was truncated (its cap reached).
   * Its secrets are masked by {@code masker} as its collector masked them, so the lines compare.
   */
  RecoveredOutput(MetadataStore store, Clock clock, Limits limits, ExecutionRecord lost,
      SecretMasker masker) {
    this.masker = masker;
    this.store = store;
    this.clock = clock;
    this.limits = limits;
    this.lost = lost;
    this.streams = new Stream[] {new Stream(LogStream.STDOUT), new Stream(LogStream.STDERR)};
    long cursor = 0;
    List<LogLine> page;
    do {
      page = store.logs(lost.id(), cursor, 10_000);
      for (LogLine line : page) {
        cursor = line.seq();
        if (line.at().isBefore(lost.startedAt())) {
          continue;
        }
        if (line.stream() == LogStream.SYSTEM && line.text().startsWith("[rgrid] log truncated")) {
          truncated = true;
        } else if (line.stream() != LogStream.SYSTEM) {
          bytes += line.text().getBytes(StandardCharsets.UTF_8).length + 1L;
        }
        for (Stream s : streams) {
          if (s.kind == line.stream()) {
            s.stored++;
            s.lastStored = line.text();
          }
        }
      }
    } while (page.size() == 10_000);
  }

  @Override
  public void write(OutputSink.Stream stream, byte[] bytes, int offset, int length) {
    Stream s = streams[stream.ordinal()];
    s.masking.write(bytes, offset, length, s.splitter::write);
  }

  @Override
  public void closed(OutputSink.Stream stream) {
    Stream s = streams[stream.ordinal()];
    s.masking.flush(s.splitter::write);
    s.splitter.finish();
    if (--open == 0) {
      append();
    }
  }

  private void append() {
    if (lines.isEmpty() && !misaligned) {
      return;
    }
    ExecutionRecord now = store.get(lost.id());
    if (!LostAttempts.stillLost(now, lost.attempt(), lost.workerId())) {
      LOG.debug("{} moved on before its lost output was read back; dropped", lost.id());
      return;
    }
    List<LogLine> out = new ArrayList<>();
    String head = "[rgrid] attempt " + lost.attempt() + " wrote on after its worker "
        + lost.workerId() + " was lost";
    if (misaligned) {
      out.add(new LogLine(1, LogStream.SYSTEM, clock.instant(), head
          + "; that output could not be read back (its container kept only the end of it)"));
    } else {
      out.add(new LogLine(1, LogStream.SYSTEM, clock.instant(), head
          + "; read back from its container:"));
      out.addAll(lines);
      if (truncated) {
        out.add(new LogLine(1, LogStream.SYSTEM, clock.instant(), "[rgrid] log truncated: "
            + "more than " + limits.maxLogBytes() + " bytes of output; later lines are not "
            + "stored"));
      }
    }
    long seq = store.lastLogSeq(lost.id());
    List<LogLine> numbered = new ArrayList<>(out.size());
    for (LogLine l : out) {
      numbered.add(new LogLine(++seq, l.stream(), l.at(), l.text()));
    }
    for (int from = 0; from < numbered.size(); from += 500) {
      store.appendLogs(lost.id(), numbered.subList(from, Math.min(numbered.size(),
          from + 500)));
    }
  }
}
