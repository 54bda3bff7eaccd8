package dev.rgrid.cli;

import dev.rgrid.cli.agent.Frames;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine;

/**
 * One command of one thin client, run inside the agent: its hello decoded into an {@link
 * Invocation}, the command run on this thread with a {@link Terminal} whose streams become
 * frames, the client's stdin and Ctrl-C read by a second thread. A client that goes away counts
 * as Ctrl-C, as a closed terminal (SIGHUP) does for a command run in its own process.
 */
final class AgentSession {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentSession.class);

  private final DataInputStream in;
  private final OutputStream out;
  private final Thread thread = Thread.currentThread();
  private final List<Runnable> interruptActions = new ArrayList<>();
  private final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
  private boolean stdinAsked;
  private volatile boolean stdoutClosed;
  private boolean ended;

  AgentSession(InputStream in, OutputStream out) {
    this.in = new DataInputStream(in);
    this.out = out;
  }

  /**
   * Runs the command {@code hello} asks for with {@code rgrids} on {@code unbound} (a command
   * line from {@link Main#unbound()}), and answers its exit code.
   */
  void run(Frames.Hello hello, RGrids rgrids, CommandLine unbound) {
    Invocation invocation = new Invocation(Path.of(hello.cwd()), hello.env(), new Stdin(),
        hello.stdinKind(), hello.interactive(), this::onInterrupt, rgrids);
    Terminal terminal = new Terminal(new FrameStream(Frames.OUT), new FrameStream(Frames.ERR),
        invocation);
    Thread reader = new Thread(this::readClient, "rgrid-session-reader");
    reader.setDaemon(true);
    reader.start();
    int code;
    try (CliLogProvider.Route route = CliLogProvider.route(terminal.err)) {
      code = Main.bind(unbound, terminal).execute(hello.argv().toArray(String[]::new));
    } catch (RuntimeException | Error e) {
      LOG.error("a command ended by an error", e);
      code = ExitCodes.RGRID_ERROR;
    }
    end(code);
  }

  /**
   * Says {@code message} on the client's stderr as a {@code rgrid: warning:} line, unless this
   * command's own thread logs it (its warnings reach the client already).
   */
  void warn(String message) {
    if (Thread.currentThread() == thread) {
      return;
    }
    byte[] line = ("rgrid: warning: " + message + "\n").getBytes(
        java.nio.charset.StandardCharsets.UTF_8);
    try {
      send(Frames.ERR, line, 0, line.length);
    } catch (IOException e) {
      // The command has ended or its client went away: nobody left to tell.
    }
  }

  /** Sends the exit code once; later output is dropped. */
  private void end(int code) {
    synchronized (out) {
      if (ended) {
        return;
      }
      ended = true;
      try {
        Frames.write(out, Frames.EXIT, Frames.exitCode(code));
      } catch (IOException e) {
        // The client went away: nobody to tell.
      }
    }
  }

  private void send(byte type, byte[] b, int off, int len) throws IOException {
    synchronized (out) {
      if (ended) {
        throw new IOException("the command has ended for its client");
      }
      Frames.write(out, type, b, off, len);
    }
  }

  private Invocation.Registration onInterrupt(Runnable action) {
    synchronized (interruptActions) {
      interruptActions.add(action);
    }
    return () -> {
      synchronized (interruptActions) {
        interruptActions.remove(action);
      }
    };
  }

  /** Reads the client's frames: stdin, Ctrl-C, or its going away. */
  private void readClient() {
    try {
      while (true) {
        Frames.Frame f = Frames.read(in);
        if (f == null) {
          break;
        }
        switch (f.type()) {
          case Frames.STDIN -> stdin.add(f.payload());
          case Frames.STDIN_END -> stdin.add(new byte[0]);
          case Frames.INTERRUPT -> interrupted();
          case Frames.STDOUT_CLOSED -> stdoutClosed = true;
          default -> LOG.debug("ignored a frame of type {}", f.type());
        }
      }
    } catch (IOException e) {
      LOG.debug("client connection broke: {}", e.getMessage());
    }
    stdin.add(new byte[0]);
    interrupted();
  }

  /**
   * Ctrl-C: the command's cancel actions run (it then ends as cancelled); a command with none
   * (watching, following a log) is stopped where it waits, and answers 130 at once.
   */
  private void interrupted() {
    List<Runnable> actions;
    synchronized (interruptActions) {
      actions = List.copyOf(interruptActions);
    }
    if (actions.isEmpty()) {
      end(ExitCodes.CANCELLED);
      thread.interrupt();
      return;
    }
    actions.forEach(Runnable::run);
  }

  /** The command's stdout or stderr: each write one frame to the client. */
  private final class FrameStream extends OutputStream {
    private final byte type;

    FrameStream(byte type) {
      this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (type == Frames.OUT && stdoutClosed) {
        throw new IOException("the client's stdout is closed");
      }
      if (len > 0) {
        send(type, b, off, len);
      }
    }
  }

  /** The client's stdin, asked for on the first read. */
  private final class Stdin extends InputStream {
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (pos == chunk.length) {
        if (eof) {
          return -1;
        }
        askOnce();
        try {
          chunk = stdin.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading stdin");
        }
        pos = 0;
        eof = chunk.length == 0;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      return n;
    }

    private void askOnce() throws IOException {
      synchronized (out) {
        if (stdinAsked || ended) {
          return;
        }
        stdinAsked = true;
        Frames.write(out, Frames.WANT_STDIN, new byte[0]);
      }
    }
  }
}
