package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.rgrid.spi.runtime.OutputSink;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the demultiplexed frames of one container's attach stream (on docker-java's stream
 * thread) and hands them to the sink as raw bytes, stdout and stderr apart. When the stream ends,
 * both sink streams are closed and {@code onEnd} runs, still on that thread.
 */
final class OutputPump implements ResultCallback<Frame> {
  private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

  private final String name;
  private final OutputSink sink;
  private final Runnable onEnd;
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Closeable stream;
  private volatile Throwable error;
  private boolean sinkFailed;

  /**
   * @param name the container's name, for messages
   * @param onEnd runs once after the stream ended and the sink was told
   */
  OutputPump(String name, OutputSink sink, Runnable onEnd) {
    this.name = name;
    this.sink = sink;
    this.onEnd = onEnd;
  }

  @Override
  public void onStart(Closeable closeable) {
    stream = closeable;
    started.countDown();
  }

  @Override
  public void onNext(Frame frame) {
    if (sinkFailed) {
      return; // keep reading without a sink, or the script would block on a full pipe
    }
    OutputSink.Stream target = frame.getStreamType() == StreamType.STDERR
        ? OutputSink.Stream.STDERR : OutputSink.Stream.STDOUT;
    byte[] payload = frame.getPayload();
    try {
      sink.write(target, payload, 0, payload.length);
    } catch (RuntimeException e) {
      sinkFailed = true;
      LOG.error("output sink failed on {} of container {}; discarding the rest of its output",
          target, name, e);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    // docker-java may report an error and then complete: the first call ends the stream.
    if (!ended.get()) {
      error = throwable;
      if (started.getCount() > 0) {
        LOG.debug("attaching to container {} failed", name, throwable);
      } else {
        LOG.warn("the output stream of container {} broke off; output may be missing", name,
            throwable);
      }
    }
    end();
  }

  @Override
  public void onComplete() {
    end();
  }

  /**
   * Waits until the engine has attached the stream, so that no output written after the start is
   * lost.
   *
   * @return {@code null} once attached, else why not (the error, or a timeout)
   */
  Throwable awaitStarted(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (started.await(10, TimeUnit.MILLISECONDS)) {
        return null;
      }
      if (ended.get()) {
        return error != null ? error
            : new IOException("the engine ended the attach stream before the start");
      }
    }
    return new IOException("the engine did not attach within " + timeout.toMillis() + " ms");
  }

  /** Whether the stream has ended (and the sink been told). */
  boolean ended() {
    return ended.get();
  }

  /** Stops reading: closes the connection, which ends docker-java's stream thread. */
  @Override
  public void close() {
    Closeable s = stream;
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException e) {
      LOG.debug("closing the output stream of container {} failed", name, e);
    }
  }

  private void end() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    for (OutputSink.Stream s : OutputSink.Stream.values()) {
      try {
        sink.closed(s);
      } catch (RuntimeException e) {
        LOG.error("output sink failed closing {} of container {}", s, name, e);
      }
    }
    onEnd.run();
  }
}
