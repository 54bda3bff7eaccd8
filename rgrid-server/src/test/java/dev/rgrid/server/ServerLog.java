package dev.rgrid.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the server logs while it is open: the test logging (slf4j-simple, which also carries
 * Vert.x's own log) writes to whatever {@link System#err} is when a line is written, so this
 * tees it into a buffer and gives the lines back. Closing restores the stream.
 */
final class ServerLog implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private ServerLog() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Starts capturing. */
  static ServerLog capture() {
    return new ServerLog();
  }

  /** The lines written so far. */
  List<String> lines() {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
  }

  /** The lines that belong to a stack trace ("\tat ...", "Caused by: ..."). */
  List<String> stackTraceLines() {
    return lines().stream().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")
        || l.matches("\\s+\\.\\.\\. \\d+ more")).toList();
  }

  @Override
  public void close() {
    System.err.flush();
    System.setErr(original);
  }
}
