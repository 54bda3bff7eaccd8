package dev.rgrid.core.internal.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an installer command ({@code python -m venv}, {@code pip install}) to completion: no shell,
 * stdin empty, stdout and stderr merged and handed line by line to a consumer as they come, a
 * deadline after which the whole process tree is killed. Keeps the lines worth quoting in an
 * error: those starting with {@code ERROR:} and the last ones.
 */
final class StreamedCommand {
  private static final Logger LOG = LoggerFactory.getLogger(StreamedCommand.class);
  static final int TAIL_LINES = 20;
  static final int ERROR_LINES = 20;
  private static final int MAX_LINE = 1000;
  private static final Duration READER_GRACE = Duration.ofSeconds(5);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path setsid;
  private final Path kill;

  /**
   * @param setsid the host's {@code setsid} and {@code kill}, both or neither: with them the
   *     command runs in a session of its own and its whole process group can be killed
   */
  StreamedCommand(Path setsid, Path kill) {
    this.setsid = setsid;
    this.kill = setsid == null ? null : kill;
  }

  /**
   * How a command ended.
   *
   * @param exitCode its exit code, or -1 when it was killed at the deadline
   * @param timedOut whether it was killed at the deadline
   * @param lines the lines worth quoting: its {@code ERROR:} lines (the first {@value
   *     #ERROR_LINES}) and its last {@value #TAIL_LINES} lines, each once, in the order printed
   */
  record Result(int exitCode, boolean timedOut, List<String> lines) {
    boolean succeeded() {
      return !timedOut && exitCode == 0;
    }
  }

  /**
   * Runs {@code argv} in {@code dir} with exactly the environment {@code env}.
   *
   * @throws IOException when it cannot be started
   * @throws InterruptedException when the calling thread is interrupted; the process tree has
   *     been killed by then
   */
  Result run(List<String> argv, Path dir, Map<String, String> env, Duration timeout,
      Consumer<String> progress) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (setsid != null) {
      command.add(setsid.toString());
    }
    command.addAll(argv);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(HostCommands.nullDevice()));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    ProcessTree tree = new ProcessTree(process, kill);
    Lines lines = new Lines(progress);
    Thread reader = new Thread(() -> lines.read(process), "rgrid-install-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    boolean ended;
    try {
      ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      tree.killAll();
      throw e;
    }
    // Whatever it left running would hold the output open; after a timeout, everything goes.
    tree.killAll();
    if (!ended && !process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("{} still runs {} after SIGKILL; giving up on it", argv.get(0), KILL_WAIT);
    }
    reader.join(READER_GRACE.toMillis());
    return new Result(ended ? process.exitValue() : -1, !ended, lines.kept());
  }

  /** Reads the merged output, passes it on and keeps what an error message quotes. */
  private static final class Lines {
    private final Consumer<String> progress;
    private final List<Numbered> errors = new ArrayList<>();
    private final Deque<Numbered> tail = new ArrayDeque<>();
    private boolean progressFailed;
    private long count;

    Lines(Consumer<String> progress) {
      this.progress = progress;
    }

    void read(Process process) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          keep(line);
          deliver(line);
        }
      } catch (IOException e) {
        // The pipe closes under the reader when the tree is killed: nothing more to read.
        LOG.debug("output of installer process {} ended with {}", process.pid(), e.toString());
      }
    }

    private void deliver(String line) {
      if (progressFailed) {
        return;
      }
      try {
        progress.accept(line);
      } catch (RuntimeException e) {
        progressFailed = true;
        LOG.warn("the progress consumer failed; not passing it more installer output", e);
      }
    }

    private synchronized void keep(String line) {
      Numbered n = new Numbered(count++, line.length() > MAX_LINE
          ? line.substring(0, MAX_LINE) + "…" : line);
      if (line.startsWith("ERROR:") && errors.size() < ERROR_LINES) {
        errors.add(n);
      }
      tail.addLast(n);
      if (tail.size() > TAIL_LINES) {
        tail.removeFirst();
      }
    }

    synchronized List<String> kept() {
      List<Numbered> all = new ArrayList<>(errors);
      all.addAll(tail);
      all.sort((a, b) -> Long.compare(a.number(), b.number()));
      return all.stream().distinct().map(Numbered::text).toList();
    }
  }

  private record Numbered(long number, String text) {}
}
