package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.KeptEnvironment;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * <p>Interpreters are resolved once per runtime name and list of candidates. A candidate whose
 * name starts with {@code python} is asked for its real executable, which skips version-manager
 * shims (pyenv) that would not work in the scrubbed environment.
 *
 * <p>Python requirements are installed into virtualenvs kept in the cache directory the caller
 * gives, one per environment key (see {@link #environment} and {@link VirtualEnvs}); scripts of
 * such an environment run with its {@code bin/python}, given by absolute path.
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

  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(30);

  private final HostCommands host;
  private final Path setsid;
  private final Path kill;
  private final InterpreterIdentities identities;
  private final VirtualEnvs venvs;
  private final KeptVenvs kept = new KeptVenvs();
  private final Map<Candidates, Path> interpreters = new ConcurrentHashMap<>();
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
    this.identities = new InterpreterIdentities(host.path());
    this.venvs = new VirtualEnvs(host.path(), new StreamedCommand(setsid, kill),
        Clock.systemUTC(), INSTALL_TIMEOUT);
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

  /** The CPUs this JVM may use (its affinity and container quota included). */
  @Override
  public int cpus() {
    return Runtime.getRuntime().availableProcessors();
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
      interpreters.remove(Candidates.of(spec.runtime()));
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

  /**
   * {@code process:<real path of the interpreter> <its sys.version>}, and for an interpreter of a
   * virtualenv built by {@link #environment} also {@code env <build id>}, so that a rebuilt
   * environment (whose unpinned requirements may have resolved to newer releases) does not reuse
   * the results of the one it replaced. The version is asked once per binary and again when the
   * file changes.
   *
   * @throws RuntimeUnavailableException when the runtime has no interpreter here
   */
  @Override
  public String identity(RuntimeDefinition runtime) {
    Path interpreter = liveInterpreter(runtime);
    String identity = NAME + ":" + identities.of(interpreter);
    return venvs.buildOf(interpreter).map(build -> identity + " env " + build).orElse(identity);
  }

  /**
   * Finds or builds the virtualenv of {@code env} in {@code <cacheDir>/venvs/<first 32 hex digits
   * of the key>} on this runtime's interpreter, and returns {@code runtime} with {@code
   * command[0]} and the host interpreters replaced by the virtualenv's absolute {@code
   * bin/python}. Built once per key: concurrent callers, in this process or others, wait for one
   * build; pip's output goes to {@code env.progress()} as it comes.
   *
   * @throws DependencyInstallException when pip fails (nothing is kept)
   * @throws RuntimeUnavailableException when no virtualenv can be made with the interpreter (a
   *     Debian Python without {@code python3-venv})
   * @throws UnsupportedOperationException when the runtime's interpreter is not a Python
   */
  @Override
  public RuntimeDefinition environment(RuntimeDefinition runtime, EnvironmentSpec env) {
    Objects.requireNonNull(env, "env");
    Path base = liveInterpreter(runtime);
    if (!HostCommands.isPython(base.toString())) {
      throw new UnsupportedOperationException("runtime " + runtime.name() + " runs " + base
          + ", not a Python: it cannot install Python requirements");
    }
    Path python = venvs.python(base, identities.of(base), env);
    List<String> command = new ArrayList<>(runtime.command());
    command.set(0, python.toString());
    return new RuntimeDefinition(runtime.name(), runtime.image(), command,
        List.of(python.toString()), runtime.scriptSuffix());
  }

  /** The complete virtualenvs in {@code <cacheDir>/venvs}, sized on disk. */
  @Override
  public List<KeptEnvironment> environments(Path cacheDir) {
    return kept.list(Objects.requireNonNull(cacheDir, "cacheDir"));
  }

  /** Removes the virtualenv {@code key}; false when gone or a build of it holds its lock. */
  @Override
  public boolean removeEnvironment(Path cacheDir, String key) {
    return kept.remove(Objects.requireNonNull(cacheDir, "cacheDir"), key);
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

  /**
   * The interpreter resolved for a runtime name, when a definition of that name has been
   * prepared (any one of them, when definitions of the same name name different interpreters).
   */
  Optional<Path> resolvedInterpreter(String runtimeName) {
    return interpreters.entrySet().stream().filter(e -> e.getKey().name().equals(runtimeName))
        .map(Map.Entry::getValue).findFirst();
  }

  /** Whether scripts get a session of their own, so orphans can be killed. */
  boolean ownSession() {
    return setsid != null;
  }

  private Path interpreter(RuntimeDefinition runtime) {
    Objects.requireNonNull(runtime, "runtime");
    return interpreters.computeIfAbsent(Candidates.of(runtime), c -> host.interpreter(runtime));
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
    interpreters.remove(Candidates.of(runtime), cached);
    return interpreter(runtime);
  }

  /**
   * What an interpreter is resolved from. Not the name alone: {@link #environment} returns a
   * definition of the same name whose interpreter is a virtualenv's.
   */
  private record Candidates(String name, List<String> commands) {
    static Candidates of(RuntimeDefinition runtime) {
      return new Candidates(runtime.name(), runtime.hostInterpreters().isEmpty()
          ? List.of(runtime.command().get(0)) : runtime.hostInterpreters());
    }
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
