package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.rgrid.spi.runtime.OutputSink;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads back the output the engine kept of a container (its log driver's copy), as it was
 * written: used for a leftover container of a run whose RGrid process died, so what it wrote
 * after nobody read it any more is not lost.
 */
final class KeptOutput {
  private static final Logger LOG = LoggerFactory.getLogger(KeptOutput.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);
  private static final Duration READ_WAIT = Duration.ofSeconds(60);

  private final Engine engine;

  KeptOutput(Engine engine) {
    this.engine = engine;
  }

  /**
   * Stops container {@code id} (so its output is complete), then hands what the engine kept of
   * its output to {@code sink} and closes both streams. Output that cannot be read (a container
   * made without a readable log, or removed meanwhile) is missing, never an error.
   */
  void readInto(String id, OutputSink sink) {
    stop(id);
    ResultCallback.Adapter<Frame> reader = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        if (frame.getStreamType() == StreamType.STDOUT) {
          sink.write(OutputSink.Stream.STDOUT, frame.getPayload(), 0, frame.getPayload().length);
        } else if (frame.getStreamType() == StreamType.STDERR) {
          sink.write(OutputSink.Stream.STDERR, frame.getPayload(), 0, frame.getPayload().length);
        }
      }
    };
    try {
      engine.streams().logContainerCmd(id).withStdOut(true).withStdErr(true)
          .withFollowStream(false).withTimestamps(false).exec(reader);
      if (!reader.awaitCompletion(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("reading the output of leftover container {} took over {}; kept what came",
            id, READ_WAIT);
      }
    } catch (NotFoundException | ConflictException e) {
      LOG.debug("no output to read back from leftover container {}: {}", id, Engine.message(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A log the engine cannot read (the driver keeps none) or a broken stream: what was read
      // so far still goes to the sink.
      LOG.debug("reading back the output of leftover container {} failed", id, e);
    } finally {
      close(reader);
      sink.closed(OutputSink.Stream.STDOUT);
      sink.closed(OutputSink.Stream.STDERR);
    }
  }

  private void stop(String id) {
    try {
      engine.control().killContainerCmd(id).withSignal("KILL").exec();
    } catch (NotFoundException | ConflictException e) {
      return; // not running any more (or gone): its output is complete
    } catch (RuntimeException e) {
      throw engine.failure("kill the leftover container " + id, e);
    }
    try {
      engine.control().waitContainerCmd(id).start()
          .awaitStatusCode(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.debug("leftover container {} did not report its end; reading its output anyway", id, e);
    }
  }

  private static void close(ResultCallback.Adapter<Frame> reader) {
    try {
      reader.close();
    } catch (java.io.IOException e) {
      LOG.debug("closing a log reader", e);
    }
  }
}
