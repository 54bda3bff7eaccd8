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
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      if (target.equals("/dev/null")) {
        return EMPTY;
      }
      if (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
          || target.equals("/dev/console")) {
        return TERMINAL;
      }
      return DATA;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return DATA;
    }
  }
}
