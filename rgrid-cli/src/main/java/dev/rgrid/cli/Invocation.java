package dev.rgrid.cli;

import dev.rgrid.cli.agent.StdinKind;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where one command runs: its working directory, environment and standard input, whether a
 * person is at the terminal, how Ctrl-C reaches it and where its RGrid comes from. A command
 * reads these here, never from the JVM (which, in the background agent, serves many commands of
 * many shells at once).
 *
 * @param cwd the working directory relative paths resolve against: the empty path in a command's
 *     own process (so paths stay as the user typed them), the client's absolute one in the agent
 * @param env the environment
 * @param stdin the standard input, read only when the command needs it
 * @param stdinKind what the standard input is
 * @param interactive whether stdin and stdout are a terminal (a person watches)
 * @param interrupts how Ctrl-C reaches the command
 * @param rgrids where the command's RGrid comes from
 */
record Invocation(Path cwd, Map<String, String> env, InputStream stdin, StdinKind stdinKind,
    boolean interactive, Interrupts interrupts, RGrids rgrids) {
  Invocation {
    Objects.requireNonNull(cwd, "cwd");
    env = Map.copyOf(env);
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdinKind, "stdinKind");
    Objects.requireNonNull(interrupts, "interrupts");
    Objects.requireNonNull(rgrids, "rgrids");
  }

  /** This process's own: its directory, environment, stdin, shutdown hooks and a new RGrid. */
  static Invocation ofThisProcess() {
    return new Invocation(Path.of(""), System.getenv(), System.in, StdinKind.detect(),
        StdinKind.interactive(), Interrupts.SHUTDOWN_HOOK, RGrids.NEW);
  }

  /** The value of environment variable {@code name}, or null. */
  String env(String name) {
    return env.get(name);
  }

  /** {@code path} as the user meant it: relative to the working directory. */
  Path resolve(Path path) {
    return cwd.resolve(path);
  }

  /**
   * {@code path} as messages show it, as the user would write it: relative to the working
   * directory when it is inside it (in the agent {@link #resolve} gives absolute paths; expanded
   * globs are absolute everywhere), else as it is.
   */
  Path shown(Path path) {
    Path base = cwd.toAbsolutePath();
    if (path.isAbsolute() && path.startsWith(base) && !path.equals(base)) {
      return base.relativize(path);
    }
    return path;
  }

  /** How Ctrl-C reaches a command. */
  @FunctionalInterface
  interface Interrupts {
    /** Ctrl-C ends the JVM, which runs its shutdown hooks first. */
    Interrupts SHUTDOWN_HOOK = action -> {
      Thread hook = new Thread(action, "rgrid-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
      return () -> {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: the hook is running.
        }
      };
    };

    /** Runs {@code action} on Ctrl-C until the returned registration is closed. */
    Registration onInterrupt(Runnable action);
  }

  /** An {@link Interrupts} registration. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
