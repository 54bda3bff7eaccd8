package dev.rgrid.cli.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire between the thin client and the agent, over the agent's Unix domain socket: frames of
 * one type byte, a length (4 bytes, big-endian) and that many bytes. The client opens with a
 * {@link #HELLO}; the agent answers {@link #READY} or {@link #MISMATCH}, then streams the
 * command's {@link #OUT} and {@link #ERR} bytes as written (never re-encoded) and ends with one
 * {@link #EXIT}. The client sends stdin only once the agent asks ({@link #WANT_STDIN}), so a
 * command that reads none leaves the terminal's input alone, and Ctrl-C as {@link #INTERRUPT}.
 * JDK only: the thin client loads this and little else.
 */
public final class Frames {
  /** Client: who it is and what to run ({@link Hello}). */
  public static final byte HELLO = 'H';
  /** Client: bytes of its stdin. */
  public static final byte STDIN = 'I';
  /** Client: its stdin ended. */
  public static final byte STDIN_END = 'E';
  /** Client: Ctrl-C (SIGINT, SIGTERM). */
  public static final byte INTERRUPT = 'C';
  /**
   * Client: its stdout is closed (a pipe into {@code head} that ended): the command's next write
   * to stdout fails, as it would in its own process.
   */
  public static final byte STDOUT_CLOSED = 'P';
  /** Agent: the hello is accepted; the command runs. */
  public static final byte READY = 'R';
  /** Agent: it runs another build; payload: its build. The client starts a new agent. */
  public static final byte MISMATCH = 'M';
  /** Agent: bytes for stdout. */
  public static final byte OUT = 'O';
  /** Agent: bytes for stderr. */
  public static final byte ERR = 'e';
  /** Agent: the command reads stdin; start sending it. */
  public static final byte WANT_STDIN = 'W';
  /** Agent: the command ended; payload: its exit code (4 bytes). */
  public static final byte EXIT = 'X';

  /** The largest frame either side accepts: 16 MiB (a hello carries argv and the environment). */
  public static final int MAX_FRAME = 16 << 20;

  private Frames() {}

  /** One frame. */
  public record Frame(byte type, byte[] payload) {}

  /** Writes one frame and flushes; callers serialise writers of one stream. */
  public static void write(OutputStream out, byte type, byte[] payload, int off, int len)
      throws IOException {
    byte[] frame = new byte[5 + len];
    frame[0] = type;
    frame[1] = (byte) (len >>> 24);
    frame[2] = (byte) (len >>> 16);
    frame[3] = (byte) (len >>> 8);
    frame[4] = (byte) len;
    System.arraycopy(payload, off, frame, 5, len);
    out.write(frame);
    out.flush();
  }

  /** Writes a frame with all of {@code payload}. */
  public static void write(OutputStream out, byte type, byte[] payload) throws IOException {
    write(out, type, payload, 0, payload.length);
  }

  /**
   * Reads one frame.
   *
   * @return the frame, or null at a clean end of stream (between frames)
   * @throws IOException when the stream breaks mid-frame or a frame is larger than {@link
   *     #MAX_FRAME}
   */
  public static Frame read(DataInputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    int len = in.readInt();
    if (len < 0 || len > MAX_FRAME) {
      throw new IOException("frame of " + len + " bytes (at most " + MAX_FRAME + ")");
    }
    byte[] payload = new byte[len];
    in.readFully(payload);
    return new Frame((byte) type, payload);
  }

  /** An exit code as an {@link #EXIT} payload. */
  public static byte[] exitCode(int code) {
    return new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8),
        (byte) code};
  }

  /** The exit code of an {@link #EXIT} payload. */
  public static int exitCode(byte[] payload) throws IOException {
    if (payload.length != 4) {
      throw new EOFException("exit frame of " + payload.length + " bytes");
    }
    return (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8
        | payload[3] & 0xff;
  }

  /**
   * What the client asks: {@code build} identifies the code it runs (an agent of another build
   * answers {@link #MISMATCH}); the command line, working directory and environment; what stdin
   * is; whether a person watches (stdin and stdout a terminal).
   */
  public record Hello(String build, List<String> argv, String cwd, Map<String, String> env,
      StdinKind stdinKind, boolean interactive) {
    /** This hello as a {@link #HELLO} payload. */
    public byte[] encode() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        string(out, build);
        out.writeInt(argv.size());
        for (String a : argv) {
          string(out, a);
        }
        string(out, cwd);
        out.writeInt(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
          string(out, e.getKey());
          string(out, e.getValue());
        }
        string(out, stdinKind.name());
        out.writeBoolean(interactive);
      } catch (IOException e) {
        throw new IllegalStateException("writing to memory failed", e);
      }
      return bytes.toByteArray();
    }

    /**
     * Reads a {@link #HELLO} payload.
     *
     * @throws IOException when it is malformed
     */
    public static Hello decode(byte[] payload) throws IOException {
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
        String build = string(in);
        int n = count(in);
        List<String> argv = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          argv.add(string(in));
        }
        String cwd = string(in);
        int m = count(in);
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < m; i++) {
          env.put(string(in), string(in));
        }
        StdinKind kind;
        try {
          kind = StdinKind.valueOf(string(in));
        } catch (IllegalArgumentException e) {
          throw new IOException("unknown stdin kind", e);
        }
        return new Hello(build, argv, cwd, env, kind, in.readBoolean());
      }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
      int len = count(in);
      byte[] b = new byte[len];
      in.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    private static int count(DataInputStream in) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > MAX_FRAME) {
        throw new IOException("malformed hello: a count of " + n);
      }
      return n;
    }
  }

  /**
   * A stream reading {@code channel}. Not {@code Channels.newInputStream}: its streams of one
   * blocking channel share a lock, so a read waiting for the peer would hold back every write.
   */
  public static InputStream input(ByteChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  /** A stream writing {@code channel} (see {@link #input}). */
  public static OutputStream output(ByteChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
      }
    };
  }

  /** Reads {@code in} to its end into frames of {@code type} on {@code out}. */
  public static void pump(InputStream in, OutputStream out, byte type, Object lock)
      throws IOException {
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) {
      synchronized (lock) {
        write(out, type, buf, 0, n);
      }
    }
  }
}
