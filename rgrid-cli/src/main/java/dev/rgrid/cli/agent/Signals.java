package dev.rgrid.cli.agent;

/**
 * Ctrl-C in the thin client: SIGINT, SIGTERM and SIGHUP become calls of an action instead of
 * ending the JVM, so that the agent is asked to cancel and the client keeps relaying until the
 * command has ended. Uses the JDK's {@code sun.misc.Signal}; where that is unavailable the JVM's
 * default (ending at once) stays, and the agent sees the connection close, which it treats the
 * same way.
 */
final class Signals {
  private Signals() {}

  static void forward(Runnable action) {
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
      } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
        // Not on this platform or JVM: the default stays.
      }
    }
  }
}
