package dev.rgrid.cli.agent;

import java.io.DataInputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code rgrid} command as most invocations run it: a thin client of the per-user agent.
 * It starts the agent when none answers on {@code agent.sock} in the state directory, hands it
 * argv, the working directory, the environment and what stdin is, relays the command's stdout
 * and stderr byte for byte, forwards stdin when the command reads it and Ctrl-C as a cancel, and
 * exits with the command's exit code. An agent of another build is replaced. The command runs in
 * this process instead ({@code dev.rgrid.cli.Main}) with {@code RGRID_AGENT=off} or {@code
 * --no-agent}, for the commands that are processes of their own, read a terminal without echo or
 * administer the state, and when no agent can be started.
 *
 * <p>JDK only, and few classes: it is what starts on every command, so what it loads is what
 * every command waits for.
 */
public final class ThinClient {
  /** How long a new agent may take to answer before the command runs here instead. */
  private static final long START_DEADLINE_MS = 60_000;
  private static final int EXIT_AGENT_LOST = 125;
  private static final int EXIT_INTERRUPTED = 130;

  private final Path home;
  private final List<String> argv;
  private volatile OutputStream toAgent;
  private volatile int interrupts;
  private boolean stdoutClosed;

  private ThinClient(Path home, List<String> argv) {
    this.home = home;
    this.argv = argv;
  }

  /** Runs the command through the agent, or here; exits with its exit code. */
  public static void main(String[] args) throws Exception {
    if (Boolean.getBoolean(AgentFiles.WARM_UP_PROPERTY)) {
      warmUp();
      return;
    }
    List<String> argv = new ArrayList<>(Arrays.asList(args));
    if (AgentChoice.viaAgent(argv, System.getenv("RGRID_AGENT"))) {
      int code = new ThinClient(home(), argv).viaAgent();
      if (code >= 0) {
        System.exit(code);
      }
    }
    inProcess(argv);
  }

  /**
   * What {@code scripts/rgrid} runs once, in the background, to record the class-data archive
   * (JDK 25's AOT cache) later commands start with: the classes a command through the agent
   * loads, without a command or an agent.
   */
  private static void warmUp() throws IOException {
    Frames.Hello hello = new Frames.Hello(build(), List.of("version"),
        Path.of("").toAbsolutePath().toString(), System.getenv(), StdinKind.detect(),
        StdinKind.interactive());
    Frames.Hello.decode(hello.encode());
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(home().resolve(AgentFiles.SOCKET + ".warm-up")));
    } catch (IOException e) {
      // Expected: nothing listens there.
    }
  }

  private static void inProcess(List<String> argv) throws Exception {
    ClassLoader loader = ThinClient.class.getClassLoader();
    Path full = fullJar();
    if (full != null) {
      // From the launcher: the commands are in the full jar, opened only now. Libraries that
      // look their plugins up through the thread's class loader must see it too.
      loader = new URLClassLoader(new URL[] {full.toUri().toURL()}, loader);
      Thread.currentThread().setContextClassLoader(loader);
    }
    Class.forName("dev.rgrid.cli.Main", true, loader).getMethod("main", String[].class)
        .invoke(null, (Object) argv.toArray(String[]::new));
  }

  /**
   * The CLI's full jar when this client runs from the small launcher jar (named by the system
   * property {@value AgentFiles#FULL_JAR_PROPERTY}), else null: this client's class path has it
   * all. The launcher keeps the 57 MB jar off the JVM's class path, whose opening (and the
   * service look-ups of the JDK that scan it) would cost every command some 40 ms.
   */
  private static Path fullJar() {
    String jar = System.getProperty(AgentFiles.FULL_JAR_PROPERTY);
    return jar == null || jar.isBlank() ? null : Path.of(jar).toAbsolutePath().normalize();
  }

  /** The state directory, as {@code dev.rgrid.core.Config} resolves it. */
  static Path home() {
    String configured = System.getenv("RGRID_HOME");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured.trim()).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.home"), ".rgrid");
  }

  /** The command's exit code through the agent, or -1 when no agent could take it. */
  private int viaAgent() throws IOException, InterruptedException {
    Path socket = home.resolve(AgentFiles.SOCKET);
    for (int attempt = 0; attempt < 3; attempt++) {
      SocketChannel channel = connect(socket);
      if (channel == null) {
        try {
          channel = startAndConnect(socket);
        } catch (IOException e) {
          // The state directory cannot hold the agent's files (not a directory, not writable):
          // the command, run here, says what is wrong with it and what to do.
          return -1;
        }
      }
      if (channel == null) {
        System.err.println("rgrid: warning: the background agent did not start (see "
            + home.resolve(AgentFiles.LOG) + "); running in this process");
        return -1;
      }
      int code = converse(channel);
      if (code != RETRY) {
        return code;
      }
      // An agent of another build: it steps aside (its socket is gone); start ours.
    }
    return -1;
  }

  private static final int RETRY = Integer.MIN_VALUE;

  private int converse(SocketChannel channel) throws IOException {
    try (channel) {
      OutputStream out = Frames.output(channel);
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Frames.input(channel)));
      Frames.Hello hello = new Frames.Hello(build(), argv,
          Path.of("").toAbsolutePath().toString(), System.getenv(), StdinKind.detect(),
          StdinKind.interactive());
      Frames.Frame answer;
      try {
        Frames.write(out, Frames.HELLO, hello.encode());
        answer = Frames.read(in);
      } catch (IOException e) {
        answer = null; // it went away before taking the command: the next agent takes it
      }
      if (answer == null || answer.type() == Frames.MISMATCH) {
        return RETRY;
      }
      toAgent = out;
      Signals.forward(this::interrupt);
      OutputStream stdout = new FileOutputStream(FileDescriptor.out);
      OutputStream stderr = new FileOutputStream(FileDescriptor.err);
      while (true) {
        Frames.Frame f;
        try {
          f = Frames.read(in);
        } catch (IOException e) {
          f = null;
        }
        if (f == null) {
          return lost();
        }
        switch (f.type()) {
          case Frames.OUT -> {
            if (!stdoutClosed && !write(stdout, f.payload())) {
              stdoutClosed = true;
              try {
                synchronized (out) {
                  Frames.write(out, Frames.STDOUT_CLOSED, new byte[0]);
                }
              } catch (IOException e) {
                // The agent went away: the next read reports it. Never a reason to run the
                // command again here.
              }
            }
          }
          case Frames.ERR -> write(stderr, f.payload());
          case Frames.WANT_STDIN -> startStdin(out);
          case Frames.EXIT -> {
            return Frames.exitCode(f.payload());
          }
          default -> {
            // A frame of a later build: ignored, as the hello already matched builds.
          }
        }
      }
    }
  }

  private int lost() {
    if (interrupts > 0) {
      return EXIT_INTERRUPTED;
    }
    System.err.println("rgrid: error: the background agent stopped while running this command");
    System.err.println("rgrid: hint: its work is taken over once its lease lapses (`rgrid list` "
        + "shows it); see " + home.resolve(AgentFiles.LOG) + ", or run with --no-agent");
    return EXIT_AGENT_LOST;
  }

  /**
   * Writes to stdout or stderr; false when the reader went away ({@code | head}): the agent is
   * told for stdout, so the command's own writes fail as they would in its own process, and the
   * rest is dropped.
   */
  private static boolean write(OutputStream s, byte[] bytes) {
    try {
      s.write(bytes);
      s.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ctrl-C: the first asks the agent to cancel; a second one leaves at once. */
  private void interrupt() {
    if (++interrupts > 1) {
      Runtime.getRuntime().halt(EXIT_INTERRUPTED);
    }
    OutputStream out = toAgent;
    try {
      synchronized (out) {
        Frames.write(out, Frames.INTERRUPT, new byte[0]);
      }
    } catch (IOException e) {
      Runtime.getRuntime().halt(EXIT_INTERRUPTED);
    }
  }

  private void startStdin(OutputStream out) {
    Thread t = new Thread(() -> {
      try (InputStream stdin = new java.io.FileInputStream(FileDescriptor.in)) {
        Frames.pump(stdin, out, Frames.STDIN, out);
        synchronized (out) {
          Frames.write(out, Frames.STDIN_END, new byte[0]);
        }
      } catch (IOException e) {
        // The agent went away; the main loop reports it.
      }
    }, "rgrid-stdin");
    t.setDaemon(true);
    t.start();
  }

  private static SocketChannel connect(Path socket) {
    if (!Files.exists(socket)) {
      return null;
    }
    try {
      SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
      } catch (IOException e) {
        channel.close();
        return null;
      }
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * Starts an agent and connects to it. One client at a time starts one (the lock of {@code
   * agent.start}); the others find it started when they get the lock.
   */
  private SocketChannel startAndConnect(Path socket) throws IOException, InterruptedException {
    AgentFiles.createPrivateDirectory(home);
    // Made 0600 first: opening with CREATE would make it as the umask says.
    try (FileChannel lock = FileChannel.open(
        AgentFiles.createPrivateFile(home.resolve(AgentFiles.START_LOCK)), StandardOpenOption.WRITE);
        var held = lock.lock()) {
      SocketChannel channel = connect(socket);
      if (channel != null) {
        return channel;
      }
      Process agent = spawn();
      long deadline = System.nanoTime() + START_DEADLINE_MS * 1_000_000;
      while (System.nanoTime() < deadline) {
        channel = connect(socket);
        if (channel != null) {
          return channel;
        }
        if (!agent.isAlive()) {
          return connect(socket); // it ended: another agent serves, or it failed
        }
        // Waiting on a file to appear, with no way to be told: a short poll, bounded.
        Thread.sleep(10);
      }
      return null;
    }
  }

  /** Starts {@code rgrid agent --serve} in its own session, its output to {@code agent.log}. */
  private Process spawn() throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid");
    }
    command.add(java);
    command.add("-Xshare:auto");
    String build = System.getProperty(AgentFiles.BUILD_PROPERTY);
    if (build != null) {
      command.add("-D" + AgentFiles.BUILD_PROPERTY + "=" + build);
    }
    command.add("-cp");
    Path full = fullJar();
    command.add(full != null ? full.toString() : System.getProperty("java.class.path"));
    command.add("dev.rgrid.cli.Main");
    command.add("agent");
    command.add("--serve");
    File log = AgentFiles.createPrivateFile(home.resolve(AgentFiles.LOG)).toFile();
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("RGRID_AGENT");
    return pb.start();
  }

  /** What identifies this client's code: an agent of another build is replaced. */
  public static String build() {
    String forced = System.getProperty(AgentFiles.BUILD_PROPERTY);
    if (forced != null) {
      return forced;
    }
    try {
      // The full jar's: the agent, started on it, computes its own from there.
      Path full = fullJar();
      Path code = full != null ? full : Path.of(ThinClient.class.getProtectionDomain()
          .getCodeSource().getLocation().toURI());
      Path file = Files.isDirectory(code)
          ? code.resolve(ThinClient.class.getName().replace('.', '/') + ".class") : code;
      return code + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return "unknown";
    }
  }
}
