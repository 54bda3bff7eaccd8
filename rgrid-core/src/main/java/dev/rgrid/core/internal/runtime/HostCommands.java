package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds commands on the host's {@code PATH} and turns a runtime's host interpreters into the one
 * executable to run.
 */
final class HostCommands {
  private static final Logger LOG = LoggerFactory.getLogger(HostCommands.class);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
  private static final String PROBE = "import sys; print(sys.executable)";

  private final String path;
  private final List<Path> dirs;

  /** @param path the host's {@code PATH} (the JVM's own), or {@code null} when it has none */
  HostCommands(String path) {
    this.path = path == null ? "" : path;
    List<Path> found = new ArrayList<>();
    for (String entry : this.path.split(File.pathSeparator)) {
      // Relative entries (including the empty one, meaning ".") would make the resolved command
      // depend on the JVM's working directory: a classic way to run the wrong binary.
      if (entry.isEmpty()) {
        continue;
      }
      try {
        Path dir = Path.of(entry);
        if (dir.isAbsolute()) {
          found.add(dir);
        }
      } catch (InvalidPathException e) {
        continue; // not a usable directory, like any other PATH entry that does not exist
      }
    }
    this.dirs = List.copyOf(found);
  }

  /** The {@code PATH} value the lookups use, passed on to scripts. */
  String path() {
    return path;
  }

  /**
   * The executable a command name stands for: an absolute path as it is, a bare name looked up in
   * the {@code PATH} directories in order.
   */
  Optional<Path> find(String command) {
    if (command.isEmpty() || command.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    if (command.indexOf('/') >= 0 || command.indexOf(File.separatorChar) >= 0) {
      Path p = Path.of(command);
      return p.isAbsolute() && isExecutableFile(p) ? Optional.of(p) : Optional.empty();
    }
    for (Path dir : dirs) {
      Path candidate = dir.resolve(command);
      if (isExecutableFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The interpreter for {@code runtime}: the first of its host interpreters (or, when it lists
   * none, the first word of its command) found on the host.
   *
   * @throws RuntimeUnavailableException naming every command tried and why each failed
   */
  Path interpreter(RuntimeDefinition runtime) {
    List<String> candidates = runtime.hostInterpreters().isEmpty()
        ? List.of(runtime.command().get(0)) : runtime.hostInterpreters();
    List<String> tried = new ArrayList<>();
    for (String candidate : candidates) {
      Optional<Path> found = find(candidate);
      if (found.isEmpty()) {
        tried.add(candidate + " (not found)");
        continue;
      }
      if (!isPython(candidate)) {
        return found.get();
      }
      Probe probe = probePython(found.get());
      if (probe.executable != null) {
        return probe.executable;
      }
      tried.add(candidate + " (" + probe.failure + ")");
    }
    throw new RuntimeUnavailableException("runtime " + runtime.name()
        + " has no interpreter on this machine: tried " + String.join(", ", tried)
        + " on PATH=" + path,
        "install one of " + String.join(", ", candidates)
            + " on the PATH of this process, or use the Docker runtime", null);
  }

  /** Whether a command, by its file name, is a Python interpreter. */
  static boolean isPython(String candidate) {
    String name = Path.of(candidate).getFileName().toString();
    return name.startsWith("python");
  }

  /**
   * Asks a Python for its real executable. Version managers such as pyenv install "shims": shell
   * scripts that only work with the user's HOME and PYENV_* variables, which scripts do not get.
   * The shim is therefore run once here, with the host environment, and skipped later.
   */
  private static Probe probePython(Path candidate) {
    Output out = run(List.of(candidate.toString(), "-c", PROBE), null);
    if (out.failure() != null) {
      return Probe.failed(out.failure());
    }
    String printed = out.stdout().strip();
    if (printed.isEmpty()) {
      return Probe.failed("did not report its executable");
    }
    try {
      Path executable = Path.of(printed);
      if (!executable.isAbsolute() || !isExecutableFile(executable)) {
        return Probe.failed("reported " + printed + ", which is not an executable file");
      }
      return new Probe(executable, null);
    } catch (InvalidPathException e) {
      return Probe.failed(e.toString());
    }
  }

  /**
   * Runs a short command to completion and returns its standard output, or why it failed (could
   * not start, non-zero exit with the first line of its stderr, no answer within 20 s).
   *
   * @param env the whole environment to give it, or {@code null} to inherit the JVM's
   * @throws RuntimeUnavailableException when the calling thread is interrupted
   */
  static Output run(List<String> argv, Map<String, String> env) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("rgrid-probe-", ".out");
      err = Files.createTempFile("rgrid-probe-", ".err");
      // Output goes to files, not pipes: a pipe inherited by a stray child could block a read
      // forever, and the probe must end within its timeout whatever the candidate does.
      ProcessBuilder builder = new ProcessBuilder(argv)
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (env != null) {
        builder.environment().clear();
        builder.environment().putAll(env);
      }
      Process p = builder.start();
      if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return Output.failed("did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
      }
      if (p.exitValue() != 0) {
        return Output.failed("exit " + p.exitValue() + ": " + firstLine(err));
      }
      return new Output(Files.readString(out, StandardCharsets.UTF_8), null);
    } catch (IOException e) {
      return Output.failed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeUnavailableException("interrupted while running " + argv.get(0),
          "try again", e);
    } finally {
      deleteProbeFile(out);
      deleteProbeFile(err);
    }
  }

  private static String firstLine(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  private static void deleteProbeFile(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Only a few bytes in the system temp directory: not worth failing the probe for.
      LOG.debug("could not delete probe file {}", file, e);
    }
  }

  static File nullDevice() {
    return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
  }

  private static boolean isExecutableFile(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }

  /** What a command printed on its standard output, or why it failed. */
  record Output(String stdout, String failure) {
    static Output failed(String why) {
      return new Output(null, why);
    }
  }

  /** The outcome of asking a Python for its executable: the path, or why not. */
  private record Probe(Path executable, String failure) {
    static Probe failed(String why) {
      return new Probe(null, why);
    }
  }
}
