package dev.rgrid.cli;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.spi.RGridException;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rgrid agent}: a background RGrid process that runs queued work in the embedded state
 * directory and exits once there has been nothing to do for a while. {@code rgrid run --detach}
 * starts one, so the terminal comes back at once while the work goes on; every other command
 * starts one when it finds work nobody owns (see {@link #handUnownedWork}), which the agent then
 * sees through. A running agent holds the lock of {@code agent.lock} in the state directory.
 */
@Command(name = "agent", hidden = true, mixinStandardHelpOptions = true,
    description = "Run queued work in the background; exit when idle.")
final class AgentCommand extends BaseCommand {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentCommand.class);

  @Option(names = "--idle-exit", paramLabel = "DURATION",
      description = "Exit after this long with nothing to do (default 3s; with --serve: "
          + "RGRID_AGENT_IDLE, else 3h).")
  String idleExit;

  @Option(names = "--serve", description = "Also serve the thin clients of `rgrid` on "
      + "agent.sock in the state directory.")
  boolean serve;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
      description = "How many executions at once (default ${DEFAULT-VALUE}).")
  int workers;

  @Override
  int execute() throws Exception {
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("--workers must be between 1 and 256");
    }
    if (serve) {
      return serve();
    }
    Duration idle = Parsing.duration(idleExit == null ? "3s" : idleExit);
    try (LocalRGrid rgrid = open(workers)) {
      AgentLock lock = AgentLock.tryTake(RGridBuilder.defaultHome());
      while (true) {
        rgrid.awaitIdle(idle);
        // Unlocked before the last look: a command that finds work nobody owns after this look
        // finds no agent either, and starts one, so no such work is left waiting for nobody.
        if (lock != null) {
          lock.close();
        }
        if (rgrid.operations().unownedWork() == 0) {
          break;
        }
        lock = AgentLock.tryTake(RGridBuilder.defaultHome());
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Serves thin clients until idle. Holds {@code agent.lock} while it does, with an RGrid open
   * on the embedded state that runs the work nobody owns, as the background agent does.
   */
  private int serve() throws Exception {
    String configured = terminal.invocation().env("RGRID_AGENT_IDLE");
    Duration idle = Parsing.duration(idleExit != null ? idleExit
        : configured != null && !configured.isBlank() ? configured : "3h");
    Path home = RGridBuilder.defaultHome();
    try (AgentServer server = AgentServer.bind(home)) {
      if (server == null) {
        return ExitCodes.OK; // another agent serves
      }
      // Stopped by a signal (SIGTERM, a shutdown): what its RGrids hold (warm containers, the
      // network holder) goes with it, as it does when it exits idle.
      Thread hook = new Thread(server::close, "rgrid-agent-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      AgentLock lock = AgentLock.tryTake(home);
      try {
        server.openDefault(config(), lease(terminal.invocation().env()));
        server.serve(idle);
      } finally {
        if (lock != null) {
          lock.close();
        }
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Hands the work nobody owns in {@code rgrid}'s state (left by a process that died once its
   * lease lapsed, or detached work whose agent is gone) to the background agent, starting one on
   * runtime {@code engine} when none runs: a short-lived command never adopts such a run itself,
   * since it would stop it half-way when it exits. A failure to start it is only logged: the
   * command's own work goes on, and the next command tries again.
   */
  static void handUnownedWork(LocalRGrid rgrid, String engine) {
    try {
      if (rgrid.operations().unownedWork() > 0 && !AgentLock.held(RGridBuilder.defaultHome())) {
        spawn(engine);
      }
    } catch (RGridException e) {
      LOG.warn("work left by an ended process waits: {}", e.getMessage());
    }
  }

  /**
   * Starts a detached agent with this JVM and class path, in its own session so that closing the
   * terminal or pressing Ctrl-C there does not stop it; its output goes to {@code agent.log} in
   * the state directory.
   */
  static void spawn(String engine) {
    Path home = RGridBuilder.defaultHome();
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    if (onPath("setsid")) {
      command.add("setsid");
    }
    command.add(java);
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("agent");
    try {
      PrivateFiles.createDirectories(home);
      // The redirect would create it with the umask's mode: made private first, then appended to.
      File log = PrivateFiles.createIfMissing(home.resolve("agent.log")).toFile();
      ProcessBuilder pb = new ProcessBuilder(command);
      if (engine != null) {
        pb.environment().put("RGRID_RUNTIME", engine);
      }
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
          .redirectErrorStream(true);
      pb.start();
    } catch (IOException e) {
      throw new RGridException("cannot start the background process: " + e.getMessage(),
          "run without --detach, or start `rgrid agent` yourself", null, e);
    }
  }

  private static boolean onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }
}
