package dev.rgrid.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The CLI's view of its standard streams: raw byte streams for the script's output (never
 * re-encoded), and RGrid's own messages on stderr, silenced by {@code --quiet}, coloured only when
 * stderr is a terminal and {@code NO_COLOR} is unset.
 */
final class Terminal {
  final OutputStream rawOut;
  final OutputStream rawErr;
  final PrintStream out;
  final PrintStream err;
  private final boolean color;
  private final Invocation invocation;
  private boolean quiet;
  private boolean outClosed;
  private boolean errClosed;

  Terminal() {
    this(new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err),
        Invocation.ofThisProcess());
  }

  /** The terminal of {@code invocation}, coloured when a person watches and NO_COLOR is unset. */
  Terminal(OutputStream out, OutputStream err, Invocation invocation) {
    this(out, err, invocation.interactive() && invocation.env("NO_COLOR") == null, invocation);
  }

  Terminal(OutputStream out, OutputStream err, boolean color) {
    this(out, err, color, Invocation.ofThisProcess());
  }

  private Terminal(OutputStream out, OutputStream err, boolean color, Invocation invocation) {
    this.invocation = invocation;
    this.rawOut = out;
    this.rawErr = err;
    this.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    this.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    this.color = color;
  }

  /** Where the command runs: its directory, environment, stdin. */
  Invocation invocation() {
    return invocation;
  }

  /** Whether messages are coloured. */
  boolean colored() {
    return color;
  }

  void quiet(boolean value) {
    quiet = value;
  }

  boolean quiet() {
    return quiet;
  }

  /** One of RGrid's own messages, on stderr unless quiet. */
  void note(String message) {
    if (!quiet) {
      err.println(dim("rgrid: ") + message);
    }
  }

  /** An error: always shown, with its hint on a second line. */
  void error(String message, String hint) {
    err.println(red("rgrid: error: ") + message);
    if (hint != null && !hint.isBlank()) {
      err.println(dim("rgrid: hint: ") + hint);
    }
  }

  /**
   * Writes raw bytes to stdout or stderr at once.
   *
   * @return {@code false} when the stream is closed (a reader such as {@code head} went away);
   *     later writes to it are dropped
   */
  synchronized boolean raw(boolean toErr, byte[] bytes) {
    if (toErr ? errClosed : outClosed) {
      return false;
    }
    try {
      OutputStream s = toErr ? rawErr : rawOut;
      s.write(bytes);
      s.flush();
      return true;
    } catch (IOException e) {
      if (toErr) {
        errClosed = true;
      } else {
        outClosed = true;
      }
      return false;
    }
  }

  String red(String s) {
    return color ? "\u001b[31m" + s + "\u001b[0m" : s;
  }

  String green(String s) {
    return color ? "\u001b[32m" + s + "\u001b[0m" : s;
  }

  String yellow(String s) {
    return color ? "\u001b[33m" + s + "\u001b[0m" : s;
  }

  String dim(String s) {
    return color ? "\u001b[2m" + s + "\u001b[0m" : s;
  }

  /**
   * Prints a stored log line where the script wrote it: stdout lines to stdout, stderr lines to
   * stderr, RGrid's own lines dimmed on stderr; {@code stdout}/{@code stderr} false leave that
   * stream's lines out.
   */
  void logLine(dev.rgrid.spi.store.LogLine line, boolean stdout, boolean stderr) {
    switch (line.stream()) {
      case STDOUT -> {
        if (stdout) {
          this.out.println(line.text());
        }
      }
      case STDERR -> {
        if (stderr) {
          this.err.println(line.text());
        }
      }
      default -> this.err.println(dim(line.text()));
    }
  }
}
