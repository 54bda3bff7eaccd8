package dev.rgrid.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;

/**
 * The agent's command lines, built one ahead: building one ({@link Main#unbound()}) costs more
 * than a short command itself (some 20 ms of the ~40 an {@code rgrid status} took in the agent),
 * and every command needs a fresh one, since its commands keep the values of their options. So
 * each command takes the spare built while the previous one ran, and a new spare is started on a
 * background thread. Clients that come faster than spares are built get one built on their own
 * thread, as without this class.
 */
final class SpareCommandLines {
  private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rgrid-spare-command-line");
    t.setDaemon(true);
    return t;
  });
  private Future<CommandLine> spare = builder.submit(Main::unbound);

  /** A command line no command has used, from {@link Main#unbound()}. */
  CommandLine take() {
    Future<CommandLine> ready;
    synchronized (this) {
      ready = spare.isDone() ? spare : null;
      if (ready != null) {
        spare = builder.submit(Main::unbound);
      }
    }
    if (ready != null) {
      try {
        return ready.get();
      } catch (ExecutionException e) {
        // Built again below, where the failure reaches the command that asked.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Main.unbound();
  }
}
