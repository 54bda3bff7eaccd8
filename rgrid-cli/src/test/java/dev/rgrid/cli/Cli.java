package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Launches the real {@code rgrid} CLI as a child JVM ({@code java -cp <test class path>
 * dev.rgrid.cli.Main ARGS}), with a state directory and a working directory of its own, and
 * captures its exit code, stdout bytes and stderr. Every wait has a deadline; nothing sleeps to
 * synchronise. Close it after the test: it ends what it started that is still running.
 */
final class Cli implements AutoCloseable {
  /** Longest any single CLI invocation may take before the test fails. */
  static final Duration DEADLINE = Duration.ofSeconds(90);
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final Path cwd;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<Running> started = new ArrayList<>();
  private String umask;
  private String mainClass = Main.class.getName();

  /** A CLI whose state lives in {@code root/rgrid-home} and which runs in {@code root/cwd}. */
  Cli(Path root) {
    this(root.resolve("rgrid-home"), root.resolve("cwd"));
  }

  Cli(Path home, Path cwd) {
    this.home = home;
    this.cwd = cwd;
    try {
      Files.createDirectories(cwd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    env.put("RGRID_HOME", home.toString());
    // These tests pin the local process runtime (they look at host processes); the Docker
    // runtime has its own end-to-end tests.
    env.put("RGRID_RUNTIME", "process");
    if (Boolean.getBoolean("rgrid.test.via-agent")) {
      // The whole suite through the agent, as the `rgrid` launcher runs commands by default:
      // mvn verify -pl rgrid-cli -Drgrid.test.via-agent=true
      viaAgent("20s");
    }
  }

  /**
   * Launches later commands as the {@code rgrid} launcher does, through the thin client and the
   * per-user agent ({@code RGRID_AGENT=on}), which exits after {@code idle} without commands.
   */
  Cli viaAgent(String idle) {
    mainClass = dev.rgrid.cli.agent.ThinClient.class.getName();
    env.put("RGRID_AGENT", "on");
    env.put("RGRID_AGENT_IDLE", idle);
    return this;
  }

  /** The state directory ({@code RGRID_HOME}). */
  Path home() {
    return home;
  }

  /** The CLI's working directory. */
  Path cwd() {
    return cwd;
  }

  /** Sets (or, with {@code null}, removes) an environment variable of later launches. */
  Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /**
   * Starts later launches with this umask (octal, e.g. {@code "000"}), through {@code sh -c
   * 'umask M && exec ...'}: the CLI process itself, not a shell, is what runs (same pid).
   */
  Cli umask(String value) {
    umask = value;
    return this;
  }

  /** Writes a UTF-8 file under the working directory (parents created) and returns its path. */
  Path file(String relative, String content) {
    return file(relative, content.getBytes(StandardCharsets.UTF_8));
  }

  Path file(String relative, byte[] content) {
    Path path = cwd.resolve(relative);
    try {
      Files.createDirectories(path.getParent());
      Files.write(path, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path;
  }

  /** Runs {@code rgrid ARGS} with stdin closed and waits for it. */
  Result run(String... args) {
    return start(null, args).await(DEADLINE);
  }

  /** Marks a launch whose stdin is {@code /dev/null}, as in {@code rgrid ... < /dev/null}. */
  static final byte[] DEV_NULL = new byte[0];

  /** Runs {@code rgrid ARGS} with stdin from {@code /dev/null} and waits for it. */
  Result runFromDevNull(String... args) {
    return start(DEV_NULL, args).await(DEADLINE);
  }

  /** Runs {@code rgrid ARGS} with {@code stdin} piped in and waits for it. */
  Result runWithStdin(byte[] stdin, String... args) {
    return start(stdin, args).await(DEADLINE);
  }

  /** Starts {@code rgrid ARGS} in the background with stdin closed. */
  Running start(String... args) {
    return start(null, args);
  }

  Running start(byte[] stdin, String... args) {
    return start(stdin, Long.MAX_VALUE, args);
  }

  /**
   * Starts {@code rgrid ARGS} and closes the reading end of its stdout once {@code bytes} have
   * arrived, as {@code rgrid ... | head -c BYTES} would.
   */
  Running startReadingOnly(long bytes, String... args) {
    return start(null, bytes, args);
  }

  /**
   * Whether this JVM was started with SIGINT ignored, as every process started in the background
   * by a shell without job control is (a CI runner's {@code cmd &}). A child inherits that, and a
   * JVM that finds SIGINT ignored leaves it ignored: the CLI would then rightly not react to Ctrl-C,
   * and the tests of Ctrl-C would test the launcher, not the CLI.
   */
  private static final boolean SIGINT_IGNORED = sigintIgnored();

  /** Execs the rest of its arguments with SIGINT back to its default action (same pid). */
  private static final List<String> RESTORE_SIGINT = List.of(
      Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3", "-c",
      "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
          + "os.execv(sys.argv[1], sys.argv[1:])");

  private static boolean sigintIgnored() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // No /proc (not Linux): nothing to restore, as far as can be known.
    }
    return false;
  }

  private Running start(byte[] stdin, long stdoutCap, String... args) {
    List<String> command = new ArrayList<>(umask == null ? List.of()
        : List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
    command.addAll(SIGINT_IGNORED ? RESTORE_SIGINT : List.of());
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
    if (stdin == DEV_NULL) {
      builder.redirectInput(new java.io.File("/dev/null"));
    }
    env.forEach((k, v) -> {
      if (v == null) {
        builder.environment().remove(k);
      } else {
        builder.environment().put(k, v);
      }
    });
    try {
      Running running = new Running(String.join(" ", args), builder.start(), stdin, stdoutCap);
      started.add(running);
      return running;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the CLI", e);
    }
  }

  /** The id of the newest execution in this state directory, from {@code rgrid list --json}. */
  String lastExecutionId() {
    JsonNode items = json(run("list", "-n", "1", "--json").requireSuccess().stdout());
    assertThat(items).as("executions listed").hasSize(1);
    return id(items.get(0).get("id"));
  }

  /** An id as printed in JSON: a plain string, or an object holding it as {@code value}. */
  static String id(JsonNode node) {
    return node.isTextual() ? node.asText() : node.get("value").asText();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        fail("gave up after " + timeout + " waiting until " + what);
      }
      try {
        // A pause between polls, not a synchronisation: the condition decides, up to the deadline.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what, e);
      }
    }
  }

  /** Whether a process is gone (never existed, exited, or only a zombie awaiting its reaper). */
  static boolean gone(long pid) {
    var handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The processes whose environment names this CLI's state directory: the CLI processes and the
   * background agents they spawned (scripts get a scrubbed environment and never show up).
   */
  List<ProcessHandle> processesUsingHome() {
    byte[] marker = ("RGRID_HOME=" + home + "\0").getBytes(StandardCharsets.UTF_8);
    List<ProcessHandle> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      try {
        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
        if (indexOf(environ, marker) >= 0 && p.pid() != ProcessHandle.current().pid()) {
          out.add(p);
        }
      } catch (IOException | RuntimeException e) {
        // Gone already, or not ours to read.
      }
    });
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Ends what this CLI started and is still running: its own processes at once, background agents
   * after giving them a while to finish their work (they exit by themselves when idle).
   */
  @Override
  public void close() {
    for (Running r : started) {
      if (r.process.isAlive()) {
        r.process.descendants().forEach(ProcessHandle::destroyForcibly);
        r.process.destroyForcibly();
      }
    }
    try {
      await("the background processes using " + home + " have exited", Duration.ofSeconds(20),
          () -> processesUsingHome().isEmpty());
    } catch (AssertionError e) {
      processesUsingHome().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** A CLI process started in the background; its output is collected as it comes. */
  static final class Running {
    private final String label;
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread outPump;
    private final Thread errPump;

    private Running(String label, Process process, byte[] stdin, long stdoutCap) {
      this.label = label;
      this.process = process;
      this.outPump = pump(process.getInputStream(), out, "stdout", stdoutCap);
      this.errPump = pump(process.getErrorStream(), err, "stderr", Long.MAX_VALUE);
      Thread feeder = new Thread(() -> {
        try (OutputStream in = process.getOutputStream()) {
          if (stdin != null && stdin != DEV_NULL) {
            in.write(stdin);
          }
        } catch (IOException e) {
          // The CLI stopped reading its stdin (it may not need it): not the test's concern.
        }
      }, "cli-stdin");
      feeder.setDaemon(true);
      feeder.start();
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to, String name, long cap) {
      Thread t = new Thread(() -> {
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        try (from) {
          for (int n; total < cap && (n = from.read(buffer)) >= 0; total += n) {
            synchronized (to) {
              to.write(buffer, 0, n);
            }
          }
        } catch (IOException e) {
          // The stream closed under us when the process was destroyed.
        }
      }, "cli-" + name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    long pid() {
      return process.pid();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** The stdout received so far, decoded as UTF-8. */
    String stdoutSoFar() {
      synchronized (out) {
        return out.toString(StandardCharsets.UTF_8);
      }
    }

    /** The stderr received so far. */
    String stderrSoFar() {
      synchronized (err) {
        return err.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits for the process to exit and its output to end; fails the test after {@code timeout}. */
    Result await(Duration timeout) {
      Instant deadline = Instant.now().plus(timeout);
      try {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          fail("`rgrid " + label + "` did not exit within " + timeout + "; stdout so far:\n"
              + Result.abbreviate(stdoutSoFar()) + "\nstderr so far:\n"
              + Result.abbreviate(stderrSoFar()));
        }
        long left = Math.max(1000, Duration.between(Instant.now(), deadline).toMillis());
        outPump.join(left);
        errPump.join(left);
        if (outPump.isAlive() || errPump.isAlive()) {
          fail("`rgrid " + label + "` exited but something it started holds its output open");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      synchronized (out) {
        synchronized (err) {
          return new Result(label, process.exitValue(), out.toByteArray(), err.toByteArray());
        }
      }
    }
  }

  /** What one CLI invocation did. */
  record Result(String label, int exitCode, byte[] stdoutBytes, byte[] stderrBytes) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    String stderr() {
      return new String(stderrBytes, StandardCharsets.UTF_8);
    }

    /** The lines of stderr that RGrid wrote as errors ({@code rgrid: error: ...}). */
    List<String> errorLines() {
      return stderr().lines().filter(l -> l.startsWith("rgrid: error: ")).toList();
    }

    /** The lines of stderr that are RGrid's hints. */
    List<String> hintLines() {
      return stderr().lines().filter(l -> l.startsWith("rgrid: hint: ")).toList();
    }

    /** Fails unless the exit code is 0, showing everything the CLI said. */
    Result requireSuccess() {
      assertThat(exitCode).as(describe()).isZero();
      return this;
    }

    String describe() {
      return "`rgrid " + label + "` exited " + exitCode + "\n--- stdout ---\n"
          + abbreviate(stdout()) + "\n--- stderr ---\n" + abbreviate(stderr());
    }

    static String abbreviate(String s) {
      return s.length() > 2000 ? s.substring(0, 2000) + "… (" + s.length() + " chars)" : s;
    }

    @Override
    public String toString() {
      return describe();
    }
  }
}
