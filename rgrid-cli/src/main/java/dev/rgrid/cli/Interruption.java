package dev.rgrid.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What Ctrl-C (SIGINT) does while a command waits on work it started: a shutdown hook (in the
 * agent: the client's Ctrl-C) runs the command's cancel action, then holds the JVM until the
 * command has closed its RGrid, or for
 * {@link #GRACE} at most. The JVM halts as soon as its hooks return; without the wait it halted
 * while the runners were still recording the cancelled ends, so records stayed RUNNING until
 * their lease lapsed and working directories and the runtime's helper containers stayed behind.
 * Closing it (after the RGrid) lets the hook return, or removes it when nothing was interrupted.
 */
final class Interruption implements AutoCloseable {
  /** The longest the JVM is held after Ctrl-C for the cancelled work to be recorded. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private final Terminal terminal;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Invocation.Registration hook;
  private Runnable cancel;
  private boolean interrupted;

  /** Registers the hook; close it once the command's RGrid is closed. */
  Interruption(Terminal terminal) {
    this.terminal = terminal;
    this.hook = terminal.invocation().interrupts().onInterrupt(this::interrupt);
  }

  /**
   * What to run on Ctrl-C: cancel the work that was started. Runs at once when Ctrl-C came
   * already (while the work was being submitted).
   */
  void onInterrupt(Runnable action) {
    boolean now;
    synchronized (this) {
      cancel = action;
      now = interrupted;
    }
    if (now) {
      run(action);
    }
  }

  /** Whether Ctrl-C came: the command then skips what is left (downloads) and closes. */
  synchronized boolean interrupted() {
    return interrupted;
  }

  private void interrupt() {
    Runnable action;
    synchronized (this) {
      interrupted = true;
      action = cancel;
    }
    if (action != null) {
      run(action);
    }
    try {
      if (!closed.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        terminal.error("stopped without waiting longer for the cancelled work to be recorded",
            "`rgrid list --status running` shows what is left; it ends once its lease lapses");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      terminal.error("could not cancel: " + e.getMessage(), null);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    hook.close();
  }
}
