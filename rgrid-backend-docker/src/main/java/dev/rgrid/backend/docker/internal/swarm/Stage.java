package dev.rgrid.backend.docker.internal.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.spi.runtime.OutputSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * What one execution's task may fetch and return through the {@link StagingServer}: the
 * manifest of its run (the command, the environment, its files), the files of its working and
 * script directories, its standard input (once), and, going back, its outputs (into the working
 * directory, at most {@code limitBytes} in all), its live output (to the sink, in chunks posted
 * one after the other per stream; both streams are closed by {@link #endStreams} once the task
 * has ended, so that RGrid's own notes can still follow) and the word that it is done. Paths are relative, checked segment by segment: no empty, {@code .} or {@code ..}
 * segment, no backslash or NUL, and no symbolic link on the way, so nothing outside the two
 * directories is ever read or written.
 */
public final class Stage {
  /** The largest body of one chunk of live output. */
  static final int MAX_CHUNK = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: a status with a short message, or a body of {@code length} bytes. */
  record Reply(int status, String message, InputStream body, long length) {
    static Reply of(int status, String message) {
      return new Reply(status, message, null, -1);
    }
  }

  private final Path workDir;
  private final Path scriptDir;
  private final List<String> command;
  private final Map<String, String> env;
  private final InputStream stdin;
  private final OutputSink sink;
  private final long limitBytes;
  private final AtomicBoolean stdinTaken = new AtomicBoolean();
  private final AtomicBoolean[] ended = {new AtomicBoolean(), new AtomicBoolean()};
  private final Object[] streamLocks = {new Object(), new Object()};
  private final CountDownLatch done = new CountDownLatch(1);
  private final List<String> refused = new ArrayList<>();
  private long uploaded;

  /**
   * @param workDir the run's working directory (inputs in, outputs back)
   * @param scriptDir the directory of the script and the files beside it
   * @param command the whole argument vector, as the task runs it
   * @param env the script's environment
   * @param stdin the script's standard input, or {@code null}
   * @param sink where its output goes
   * @param limitBytes the most the outputs may take in all
   */
  public Stage(Path workDir, Path scriptDir, List<String> command, Map<String, String> env,
      InputStream stdin, OutputSink sink, long limitBytes) {
    this.workDir = workDir;
    this.scriptDir = scriptDir;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.stdin = stdin;
    this.sink = sink;
    this.limitBytes = limitBytes;
  }

  /** Waits up to {@code millis} for the task to say it is done; true when it has. */
  public boolean awaitDone(long millis) throws InterruptedException {
    return done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Outputs refused for the limit, for the run's log. */
  public synchronized List<String> refused() {
    return List.copyOf(refused);
  }

  /** Closes both output streams of the sink, those the task did not close itself. */
  public void endStreams() {
    end(OutputSink.Stream.STDOUT);
    end(OutputSink.Stream.STDERR);
  }

  /** Writes a line of RGrid's own to the run's stderr, unless the task has closed it. */
  public void note(String line) {
    byte[] bytes = ("rgrid: " + line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    synchronized (streamLocks[1]) {
      if (!ended[1].get()) {
        sink.write(OutputSink.Stream.STDERR, bytes, 0, bytes.length);
      }
    }
  }

  /** Closes the standard input if the task never took it. */
  public void closeStdin() {
    if (stdin != null && stdinTaken.compareAndSet(false, true)) {
      try {
        stdin.close();
      } catch (IOException e) {
        // Nothing was read from it; there is nothing to lose.
      }
    }
  }

  Reply serve(String method, String rest, InputStream body, String contentLength)
      throws IOException {
    int slash = rest.indexOf('/');
    String what = slash < 0 ? rest : rest.substring(0, slash);
    String tail = slash < 0 ? "" : rest.substring(slash + 1);
    return switch (method + " " + what) {
      case "GET manifest" -> manifest();
      case "GET work" -> file(workDir, tail);
      case "GET script" -> file(scriptDir, tail);
      case "GET stdin" -> stdin();
      case "PUT out" -> upload(tail, body, contentLength);
      case "POST log" -> log(tail, body);
      case "POST done" -> {
        done.countDown();
        yield Reply.of(204, "");
      }
      default -> Reply.of(404, "not found");
    };
  }

  private Reply manifest() throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", command);
    m.put("env", env);
    m.put("stdin", stdin != null);
    m.put("work", list(workDir));
    m.put("script", list(scriptDir));
    byte[] bytes = JSON.writeValueAsBytes(m);
    return new Reply(200, null, new ByteArrayInputStream(bytes), bytes.length);
  }

  private static List<String> list(Path dir) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .forEach(p -> files.add(dir.relativize(p).toString().replace('\\', '/')));
    }
    return files;
  }

  private Reply file(Path dir, String raw) throws IOException {
    Path p = resolve(dir, raw);
    if (p == null || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return Reply.of(404, "no such file");
    }
    return new Reply(200, null, Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS),
        Files.size(p));
  }

  private Reply stdin() {
    if (stdin == null || !stdinTaken.compareAndSet(false, true)) {
      return Reply.of(404, "no standard input");
    }
    // Length unknown: streamed chunked, closed by the server once copied.
    return new Reply(200, null, stdin, -1);
  }

  private Reply upload(String raw, InputStream body, String contentLength) throws IOException {
    Path p = resolve(workDir, raw);
    if (p == null) {
      return Reply.of(400, "not a relative path inside the working directory");
    }
    long declared = parseLength(contentLength);
    synchronized (this) {
      if (declared > limitBytes - uploaded) {
        refused.add(relative(p));
        return Reply.of(413, "outputs past the limit of " + limitBytes + " bytes");
      }
    }
    Files.createDirectories(p.getParent());
    if (resolve(workDir, raw) == null || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return Reply.of(409, "not a file");
    }
    long written = 0;
    boolean over = false;
    try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = body.read(buffer)) > 0) {
        synchronized (this) {
          if (n > limitBytes - uploaded) {
            over = true;
            break;
          }
          uploaded += n;
        }
        written += n;
        out.write(buffer, 0, n);
      }
    }
    if (over) {
      Files.deleteIfExists(p);
      synchronized (this) {
        uploaded -= written;
        refused.add(relative(p));
      }
      return Reply.of(413, "outputs past the limit of " + limitBytes + " bytes");
    }
    return Reply.of(201, "");
  }

  private Reply log(String which, InputStream body) throws IOException {
    OutputSink.Stream stream = stream(which);
    if (stream == null) {
      return Reply.of(404, "no such stream");
    }
    byte[] chunk = body.readNBytes(MAX_CHUNK + 1);
    if (chunk.length > MAX_CHUNK) {
      return Reply.of(413, "a chunk of output holds at most " + MAX_CHUNK + " bytes");
    }
    int i = stream.ordinal();
    synchronized (streamLocks[i]) {
      if (ended[i].get()) {
        return Reply.of(409, "stream closed");
      }
      sink.write(stream, chunk, 0, chunk.length);
    }
    return Reply.of(204, "");
  }

  private void end(OutputSink.Stream stream) {
    int i = stream.ordinal();
    synchronized (streamLocks[i]) {
      if (ended[i].compareAndSet(false, true)) {
        sink.closed(stream);
      }
    }
  }

  private static OutputSink.Stream stream(String name) {
    return switch (name) {
      case "stdout" -> OutputSink.Stream.STDOUT;
      case "stderr" -> OutputSink.Stream.STDERR;
      default -> null;
    };
  }

  private String relative(Path p) {
    return workDir.relativize(p).toString();
  }

  private static long parseLength(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * {@code raw} (a percent-encoded relative path) inside {@code dir}, or null when it is not a
   * plain relative path or a symbolic link lies on its way.
   */
  static Path resolve(Path dir, String raw) {
    String decoded;
    try {
      decoded = java.net.URLDecoder.decode(raw.replace("+", "%2B"),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (decoded.isEmpty() || decoded.length() > 4096 || decoded.indexOf('\0') >= 0
        || decoded.indexOf('\\') >= 0) {
      return null;
    }
    Path p = dir;
    for (String segment : decoded.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return null;
      }
      p = p.resolve(segment);
      if (Files.isSymbolicLink(p)) {
        return null;
      }
    }
    return p.normalize().startsWith(dir.normalize()) ? p : null;
  }

  /** The stage's working directory, for tests and messages. */
  Path workDir() {
    return workDir;
  }
}
