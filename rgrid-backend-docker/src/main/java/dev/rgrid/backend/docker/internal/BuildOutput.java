package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.runtime.OutputSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output of an environment build, stdout and stderr alike, cut into lines: each goes to the
 * progress consumer as it comes, and the installer's error lines (those starting with {@code
 * ERROR:}) and the last lines are kept to explain a failure.
 */
final class BuildOutput implements OutputSink {
  /** Most error lines kept. */
  static final int MAX_ERRORS = 20;
  /** How many of the last lines are kept. */
  static final int TAIL = 20;
  /** Most lines a failure quotes. */
  static final int MAX_QUOTED = 40;

  private static final Logger LOG = LoggerFactory.getLogger(BuildOutput.class);
  // A line longer than this (a progress bar without newlines) is passed on in pieces.
  private static final int MAX_LINE = 8192;

  private final Consumer<String> progress;
  private final Map<Stream, ByteArrayOutputStream> partial = new EnumMap<>(Stream.class);
  // line number -> line, for the first ERROR: lines and the last lines
  private final List<Numbered> errors = new ArrayList<>();
  private final Deque<Numbered> tail = new ArrayDeque<>();
  private long count;
  private boolean progressFailed;

  BuildOutput(Consumer<String> progress) {
    this.progress = progress;
  }

  @Override
  public synchronized void write(Stream stream, byte[] bytes, int offset, int length) {
    ByteArrayOutputStream line = partial.computeIfAbsent(stream, s -> new ByteArrayOutputStream());
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        emit(line);
      } else {
        line.write(b);
        if (line.size() >= MAX_LINE) {
          emit(line);
        }
      }
    }
  }

  @Override
  public synchronized void closed(Stream stream) {
    ByteArrayOutputStream line = partial.get(stream);
    if (line != null && line.size() > 0) {
      emit(line);
    }
  }

  /** How many lines came so far. */
  synchronized long lines() {
    return count;
  }

  /**
   * The lines that explain a failure: the installer's {@code ERROR:} lines and the last lines,
   * in the order they came, at most {@link #MAX_QUOTED}.
   */
  synchronized List<String> errorLines() {
    TreeMap<Long, String> quoted = new TreeMap<>();
    errors.forEach(n -> quoted.put(n.number, n.text));
    tail.forEach(n -> quoted.put(n.number, n.text));
    List<String> lines = new ArrayList<>(quoted.values());
    return lines.size() <= MAX_QUOTED ? lines
        : lines.subList(lines.size() - MAX_QUOTED, lines.size());
  }

  /** The first {@code ERROR:} line, if any came. */
  synchronized String firstError() {
    return errors.isEmpty() ? null : errors.get(0).text;
  }

  private void emit(ByteArrayOutputStream buffer) {
    String text = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    Numbered line = new Numbered(count++, text);
    if (text.startsWith("ERROR:") && errors.size() < MAX_ERRORS) {
      errors.add(line);
    }
    tail.addLast(line);
    if (tail.size() > TAIL) {
      tail.removeFirst();
    }
    if (progressFailed) {
      return;
    }
    try {
      progress.accept(text);
    } catch (RuntimeException e) {
      // The build goes on: its output is still needed to explain a failure.
      progressFailed = true;
      LOG.warn("the progress consumer of an environment build failed; no more lines go to it", e);
    }
  }

  private record Numbered(long number, String text) {}
}
