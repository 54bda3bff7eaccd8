package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.OutputSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One script running as a host process: its reader threads, its stdin feeder, its process tree
 * and its private temporary directory. Safe for use by many threads.
 */
final class ProcessContainer implements Container {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessContainer.class);
  // How long output may keep arriving after the main process ended and its tree was killed.
  static final Duration READER_GRACE = Duration.ofSeconds(5);
  private static final Duration CLOSE_KILL_WAIT = Duration.ofSeconds(10);
  private static final int BUFFER = 8 * 1024;

  private final String name;
  private final Process process;
  private final ProcessTree tree;
  private final Path tmpDir;
  private final Consumer<ProcessContainer> onClose;
  private final Thread stdout;
  private final Thread stderr;
  private final ReentrantLock finishing = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ExitResult result;

  /**
   * Takes over a started process: starts its readers and feeds its stdin at once, so a script
   * never blocks on a full pipe.
   *
   * @param stdin bytes for the script's stdin, or {@code null} to close it at once
   * @param onClose run once when the container is closed
   */
  ProcessContainer(String name, Process process, Path killCommand, Path tmpDir, InputStream stdin,
      OutputSink sink, Consumer<ProcessContainer> onClose) {
    this.name = name;
    this.process = process;
    this.tree = new ProcessTree(process, killCommand);
    this.tmpDir = tmpDir;
    this.onClose = onClose;
    this.stdout = pump(process.getInputStream(), OutputSink.Stream.STDOUT, sink);
    this.stderr = pump(process.getErrorStream(), OutputSink.Stream.STDERR, sink);
    feedStdin(stdin);
  }

  @Override
  public String id() {
    return Long.toString(process.pid());
  }

  /**
   * Waits for the main process to exit; then kills whatever it left running (leftovers would hold
   * the output pipes open) and waits up to {@link #READER_GRACE} for the last output to reach the
   * sink. Once a result is returned, every later call returns it at once.
   */
  @Override
  public Optional<ExitResult> await(Duration timeout) throws InterruptedException {
    ExitResult done = result;
    if (done != null) {
      return Optional.of(done);
    }
    if (!process.waitFor(saturatedNanos(timeout), TimeUnit.NANOSECONDS)) {
      return Optional.empty();
    }
    return Optional.of(finish());
  }

  @Override
  public void kill() {
    tree.killAll();
  }

  /**
   * Kills what still runs, waits (bounded) for the output to be delivered and deletes the private
   * temporary directory. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean interrupted = false;
    try {
      if (process.isAlive()) {
        kill();
      }
      if (process.waitFor(CLOSE_KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        finish();
      } else {
        LOG.warn("process {} ({}) still runs {} after SIGKILL; giving up on it", id(), name,
            CLOSE_KILL_WAIT);
      }
    } catch (InterruptedException e) {
      // close() cannot throw it: finish the cleanup that needs no waiting, keep the flag.
      interrupted = true;
      tree.killAll();
    } finally {
      try {
        TmpDirs.delete(tmpDir);
      } finally {
        onClose.accept(this);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ProcessContainer[" + name + ", pid " + process.pid() + "]";
  }

  private ExitResult finish() throws InterruptedException {
    finishing.lockInterruptibly();
    try {
      if (result != null) {
        return result;
      }
      int exitCode = process.exitValue();
      tree.killAll();
      long deadline = System.nanoTime() + READER_GRACE.toNanos();
      for (Thread reader : new Thread[] {stdout, stderr}) {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        reader.join(left);
        if (reader.isAlive()) {
          LOG.warn("output of process {} ({}) still open {} after it ended: a process outside "
              + "its session holds it; returning without the rest", id(), name, READER_GRACE);
        }
      }
      result = new ExitResult(exitCode, false);
      return result;
    } finally {
      finishing.unlock();
    }
  }

  /** The timeout in nanoseconds, negative as zero and beyond ~292 years as forever. */
  private static long saturatedNanos(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private Thread pump(InputStream in, OutputSink.Stream stream, OutputSink sink) {
    String label = stream.name().toLowerCase(Locale.ROOT);
    Thread t = new Thread(() -> {
      boolean sinkFailed = false;
      byte[] buf = new byte[BUFFER];
      try (in) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          if (n == 0 || sinkFailed) {
            continue; // keep draining even without a sink, or the script blocks on a full pipe
          }
          try {
            sink.write(stream, buf, 0, n);
          } catch (RuntimeException e) {
            sinkFailed = true;
            LOG.error("output sink failed on {} of process {} ({}); discarding the rest of it",
                label, id(), name, e);
          }
        }
      } catch (IOException e) {
        // The JDK closes the pipe itself in some races around process exit; the data read so far
        // has been delivered and there is nothing more to read.
        LOG.debug("{} of process {} ({}) ended with {}", label, id(), name, e.toString());
      } finally {
        sink.closed(stream);
      }
    }, "rgrid-process-" + process.pid() + "-" + label);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void feedStdin(InputStream stdin) {
    OutputStream toProcess = process.getOutputStream();
    if (stdin == null) {
      try {
        toProcess.close();
      } catch (IOException e) {
        LOG.debug("closing stdin of process {} ({}) failed: {}", id(), name, e.toString());
      }
      return;
    }
    Thread t = new Thread(() -> {
      try (stdin; toProcess) {
        stdin.transferTo(toProcess);
      } catch (IOException e) {
        // Usually a broken pipe: the script ended, or closed its stdin, before reading all of it.
        LOG.debug("feeding stdin of process {} ({}) stopped: {}", id(), name, e.toString());
      }
    }, "rgrid-process-" + process.pid() + "-stdin");
    t.setDaemon(true);
    t.start();
  }
}
