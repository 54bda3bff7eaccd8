package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local process runtime: runs each script as a plain host process with the host's own
 * interpreter (found on the JVM's {@code PATH}), in the working directory it is given.
 *
 * <p><b>It does not isolate.</b> Scripts run as the JVM's user and can read and write whatever
 * that user can, reach the network, and use any amount of CPU and memory: {@link dev.rgrid.spi.runtime.Limits} and the
 * network policy are ignored, and {@link #capabilities()} says so ({@code isolates=false,
 * enforcesLimits=false, localMounts=true}). Telling the user is the caller's job; this class
 * prints nothing. What it does provide:
 *
 * <ul>
 *   <li>an argument vector executed without any shell, so no argument is ever interpreted;
 *   <li>an environment built from nothing: {@code PATH} (the JVM's), {@code LANG} and {@code
 *       LC_ALL} ({@code C.UTF-8}), {@code HOME} (the working directory), {@code TMPDIR} (a private
 *       directory beside the working directory, deleted on close) and Python's {@code
 *       PYTHONUNBUFFERED=1}, {@code PYTHONDONTWRITEBYTECODE=1}, {@code PYTHONIOENCODING=utf-8},
 *       then the spec's variables on top; nothing else of the host's environment leaks in;
 *   <li>a session and process group of its own, through {@code setsid} when the host has it (as
 *       Debian's util-linux does), so that killing reaches every process the script started, even
 *       those it orphaned. Without {@code setsid} only the live descendants of the main process can
 *       be found, and children that outlive it keep running;
 *   <li>output delivered raw and live to the {@link OutputSink} by one reader thread per stream.
 * </ul>
 *
 * <p>Interpreters are resolved once per runtime name. A candidate whose name starts with {@code
 * python} is asked for its real executable, which skips version-manager shims (pyenv) that would
 * not work in the scrubbed environment.
 *
 * <p>Safe for use by many threads. A started script's {@link Container} may be used from any
 * thread: {@code await} returns once the main process has exited, the rest of its tree has been
 * killed and its output delivered (waiting at most five more seconds for output held open by a
 * process that escaped the session); {@code kill} may be called at any time, repeatedly; {@code
 * close} kills what still runs and deletes the private temporary directory.
 */
public final class ProcessRuntime implements ContainerRuntime {
  private static final String NAME = "process";
  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(false, false,
      true);

  private final HostCommands host;
  private final Path setsid;
  private final Path kill;
  private final Map<String, Path> interpreters = new ConcurrentHashMap<>();
  private final Set<ProcessContainer> live = ConcurrentHashMap.newKeySet();

  /** A runtime using the JVM's {@code PATH}. */
  public ProcessRuntime() {
    this(System.getenv("PATH"), true);
  }

  /**
   * @param hostPath the {@code PATH} to resolve commands on and to pass to scripts
   * @param ownSession whether to start scripts in a session of their own when the host can
   */
  ProcessRuntime(String hostPath, boolean ownSession) {
    this.host = new HostCommands(hostPath);
    Optional<Path> setsidCommand = ownSession ? host.find("setsid") : Optional.empty();
    Optional<Path> killCommand = host.find("kill");
    boolean grouped = setsidCommand.isPresent() && killCommand.isPresent();
    this.setsid = grouped ? setsidCommand.get() : null;
    this.kill = grouped ? killCommand.get() : null;
  }

  /** {@code process}. */
  @Override
  public String name() {
    return NAME;
  }

  /** No isolation, no limits, host directories used in place. */
  @Override
  public RuntimeCapabilities capabilities() {
    return CAPABILITIES;
  }

  /**
   * Resolves the runtime's interpreter on the host, once per runtime name.
   *
   * @throws RuntimeUnavailableException naming the commands tried when none is usable
   */
  @Override
  public void prepare(RuntimeDefinition runtime) {
    interpreter(runtime);
  }

  /** The host paths themselves: the script sees its directories where they are. */
  @Override
  public ContainerPaths paths(Path workDir, Path scriptDir, String scriptName) {
    return new ContainerPaths(workDir.toAbsolutePath().normalize().toString(),
        scriptPath(scriptDir, scriptName).toString());
  }

  /**
   * Starts the script. Its output goes to {@code sink} from two daemon threads; its stdin gets
   * {@code spec.stdin()} from a third (that stream is closed when consumed), or is closed at once.
   *
   * @throws RuntimeUnavailableException when the interpreter cannot be started
   * @throws IllegalArgumentException when the working directory or the script does not exist
   */
  @Override
  public Container start(ContainerSpec spec, OutputSink sink) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(sink, "sink");
    Path workDir = spec.workDir().toAbsolutePath().normalize();
    Path script = scriptPath(spec.scriptDir(), spec.scriptName());
    if (!Files.isDirectory(workDir)) {
      throw new IllegalArgumentException("working directory does not exist: " + workDir);
    }
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException("script does not exist: " + script);
    }
    Path interpreter = liveInterpreter(spec.runtime());
    List<String> argv = new ArrayList<>();
    if (setsid != null) {
      // The child of a JVM is never a group leader, so setsid calls setsid(2) and execs in
      // place: the pid we get is the script's, and it is the id of its new session and group.
      argv.add(setsid.toString());
    }
    argv.add(interpreter.toString());
    List<String> command = spec.runtime().command();
    argv.addAll(command.subList(1, command.size()));
    argv.add(script.toString());
    argv.addAll(spec.args());

    Path tmpDir = TmpDirs.create(workDir);
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", host.path());
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    env.put("HOME", workDir.toString());
    env.put("TMPDIR", tmpDir.toString());
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("PYTHONIOENCODING", "utf-8");
    env.putAll(spec.env());

    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      TmpDirs.delete(tmpDir);
      interpreters.remove(spec.runtime().name());
      throw new RuntimeUnavailableException("cannot start " + interpreter + " for runtime "
          + spec.runtime().name() + " in " + workDir + ": " + e.getMessage(),
          "check that " + interpreter + " still runs on this machine, or use the Docker runtime",
          e);
    }
    ProcessContainer container = new ProcessContainer(spec.name(), process, kill, tmpDir,
        spec.stdin(), sink, live::remove);
    live.add(container);
    return container;
  }

  /** Closes every container still open: kills their processes and removes their directories. */
  @Override
  public void close() {
    RGridException failure = null;
    for (ProcessContainer container : List.copyOf(live)) {
      try {
        container.close();
      } catch (RGridException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "ProcessRuntime[" + (setsid != null ? "own session via " + setsid : "no setsid") + "]";
  }

  /** The interpreter resolved for a runtime name, when it has been prepared. */
  Optional<Path> resolvedInterpreter(String runtimeName) {
    return Optional.ofNullable(interpreters.get(runtimeName));
  }

  /** Whether scripts get a session of their own, so orphans can be killed. */
  boolean ownSession() {
    return setsid != null;
  }

  private Path interpreter(RuntimeDefinition runtime) {
    Objects.requireNonNull(runtime, "runtime");
    return interpreters.computeIfAbsent(runtime.name(), n -> host.interpreter(runtime));
  }

  /**
   * The cached interpreter, resolved again if it vanished since (an upgrade, a removed virtual
   * environment): through {@code setsid} a missing interpreter would otherwise surface as a
   * script failing with exit 127 instead of as an unavailable runtime.
   */
  private Path liveInterpreter(RuntimeDefinition runtime) {
    Path cached = interpreter(runtime);
    if (Files.isExecutable(cached)) {
      return cached;
    }
    interpreters.remove(runtime.name(), cached);
    return interpreter(runtime);
  }

  private static Path scriptPath(Path scriptDir, String scriptName) {
    Objects.requireNonNull(scriptDir, "scriptDir");
    Objects.requireNonNull(scriptName, "scriptName");
    if (scriptName.isEmpty() || scriptName.equals(".") || scriptName.equals("..")
        || scriptName.indexOf('/') >= 0 || scriptName.indexOf('\\') >= 0
        || scriptName.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain script file name: '" + scriptName + "'");
    }
    return scriptDir.toAbsolutePath().normalize().resolve(scriptName);
  }
}
