package dev.rgrid.cli.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process's standard input is. A run is passed stdin only when it can carry data the
 * user meant for the script (a pipe, a file), since a run fed stdin cannot be cached: its input
 * is not known in advance. A terminal gives nothing unless {@code --stdin} asks for it.
 */
public enum StdinKind {
  /** A terminal: someone typing. */
  TERMINAL,
  /** {@code /dev/null}: nothing. */
  EMPTY,
  /** A pipe, socket or file: data. */
  DATA;

  /** Looks at file descriptor 0 (Linux {@code /proc}); anything unknown counts as data. */
  public static StdinKind detect() {
    String target = target(0);
    if (target == null) {
      return DATA;
    }
    if (target.equals("/dev/null")) {
      return EMPTY;
    }
    return terminal(target) ? TERMINAL : DATA;
  }

  /**
   * Whether a person is at this process's terminal: stdin and stdout both a terminal. Not {@code
   * System.console() != null}: from JDK 22 on that is true when both are redirected too (and it
   * loads a line editor, some milliseconds of every command's start).
   */
  public static boolean interactive() {
    String out = target(1);
    return out != null && terminal(out) && detect() == TERMINAL;
  }

  private static boolean terminal(String target) {
    return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
        || target.equals("/dev/console");
  }

  /** What file descriptor {@code fd} is open on, or null when that cannot be known. */
  private static String target(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }
}
