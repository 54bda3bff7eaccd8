package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure runtime images exist on the engine (found locally, or pulled once, bounded in time)
 * and knows their content ids. An image rebuilt under the same name must be noticed, since its
 * new id becomes the runtime's identity (and so part of result cache keys). Ids are kept while
 * the engine's event stream for images is followed: any image event (tag, untag, delete, import,
 * pull, …) drops them all, and the next {@link #require} asks again. Without that stream (it
 * failed or ended), each {@link #require} asks the engine (one inspect).
 */
public final class Images {
  /** What to do about a missing image. */
  public static final String HINT = "build it with scripts/build-images (no registry is "
      + "reachable), or choose another --runtime";
  private static final Logger LOG = LoggerFactory.getLogger(Images.class);

  private final Engine engine;
  private final Duration pullTimeout;
  // image reference -> content id (sha256:…), as last inspected
  private final Map<String, String> ids = new ConcurrentHashMap<>();
  private final Watch watch = new Watch();
  private volatile boolean watching;
  private volatile boolean closed;

  /** Images of {@code engine}, pulling for at most {@code pullTimeout}. */
  public Images(Engine engine, Duration pullTimeout) {
    this.engine = engine;
    this.pullTimeout = pullTimeout;
  }

  /**
   * Makes sure the image of {@code runtime} exists on the engine, and refreshes its content id.
   *
   * @return the image's content id ({@code sha256:…})
   * @throws RuntimeUnavailableException when it neither exists nor can be pulled
   * @throws dev.rgrid.spi.BackendUnavailableException when the engine does not answer
   */
  public String require(RuntimeDefinition runtime) {
    String image = runtime.image();
    // RuntimeDefinition validated it already; checked again because this value becomes part of
    // request URLs, and a definition may have been made by reflection or deserialisation.
    if (!RuntimeDefinition.isValidImage(image)) {
      throw new IllegalArgumentException("invalid image reference for runtime " + runtime.name());
    }
    String known = ids.get(image);
    if (known != null && watching) {
      return known; // no image event since it was inspected: still the same image
    }
    startWatching();
    String id = inspectId(image);
    if (id == null) {
      ids.remove(image);
      if (pullTimeout.isZero()) {
        throw missing(runtime, "pulling is turned off (RGRID_DOCKER_PULL=never)", null);
      }
      pull(runtime);
      id = inspectId(image);
      if (id == null) {
        throw missing(runtime, "the pull finished but the engine still does not have it", null);
      }
    }
    ids.put(image, id);
    return id;
  }

  /**
   * The content id ({@code sha256:…}) of the image of {@code runtime}: as found by the last
   * {@link #require} (or {@link #remember}), else asked of the engine.
   *
   * @throws RuntimeUnavailableException when the engine does not have the image
   */
  public String id(RuntimeDefinition runtime) {
    String known = ids.get(runtime.image());
    if (known != null) {
      return known;
    }
    if (!RuntimeDefinition.isValidImage(runtime.image())) {
      throw new IllegalArgumentException("invalid image reference for runtime " + runtime.name());
    }
    String id = inspectId(runtime.image());
    if (id == null) {
      throw missing(runtime, "it was never built or pulled, or has been removed", null);
    }
    ids.put(runtime.image(), id);
    return id;
  }

  /** Records that {@code image} now has the content id {@code id} (it was just built). */
  public void remember(String image, String id) {
    ids.put(image, id);
  }

  /** Forgets what is known of {@code image} (it was removed since). */
  public void forget(String image) {
    ids.remove(image);
  }

  /** Stops following the engine's image events. */
  public void close() {
    closed = true;
    watching = false;
    watch.close();
  }

  private void startWatching() {
    if (watching || closed || !watch.begin()) {
      return;
    }
    try {
      engine.streams().eventsCmd().withEventTypeFilter(EventType.IMAGE).exec(watch);
    } catch (RuntimeException e) {
      LOG.debug("cannot follow the engine's image events; inspecting images each time", e);
      watch.end();
    }
  }

  /** Follows image events: trusted ids only while it runs. */
  private final class Watch implements ResultCallback<Event> {
    private volatile Closeable stream;
    private boolean started;

    synchronized boolean begin() {
      if (started) {
        return false;
      }
      started = true;
      return true;
    }

    synchronized void end() {
      watching = false;
      ids.clear();
      started = false; // a later require may try again
    }

    @Override
    public void onStart(Closeable closeable) {
      stream = closeable;
      // Ids inspected before the stream began may already be stale: start from nothing.
      ids.clear();
      watching = !closed;
    }

    @Override
    public void onNext(Event event) {
      ids.clear();
    }

    @Override
    public void onError(Throwable throwable) {
      if (!closed) {
        LOG.debug("the engine's image event stream failed; inspecting images each time",
            throwable);
      }
      end();
    }

    @Override
    public void onComplete() {
      end();
    }

    @Override
    public void close() {
      Closeable s = stream;
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          LOG.debug("closing the image event stream failed", e);
        }
      }
    }
  }

  /** The exception for an image that is not there. */
  public RuntimeUnavailableException missing(RuntimeDefinition runtime, String why,
      Throwable cause) {
    return new RuntimeUnavailableException("runtime " + runtime.name() + " needs the image "
        + runtime.image() + ", which the Docker engine at " + engine.endpoint()
        + " does not have (" + why + ")", HINT, cause);
  }

  /** The content id of {@code image}, or {@code null} when the engine does not have it. */
  private String inspectId(String image) {
    try {
      return engine.control().inspectImageCmd(image).exec().getId();
    } catch (NotFoundException e) {
      return null;
    } catch (RuntimeException e) {
      throw engine.failure("inspect the image " + image, e);
    }
  }

  private void pull(RuntimeDefinition runtime) {
    String reference = withTag(runtime.image());
    LOG.info("image {} is not on the engine; pulling {} (at most {} s)", runtime.image(),
        reference, pullTimeout.toSeconds());
    Pull pull = new Pull();
    try {
      engine.streams().pullImageCmd(reference).exec(pull);
      if (!pull.done.await(pullTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw missing(runtime, "pulling it took longer than " + pullTimeout.toSeconds() + " s",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw missing(runtime, "interrupted while pulling it", e);
    } catch (RuntimeUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw engine.failure("pull the image " + reference, e);
    } finally {
      pull.close();
    }
    Throwable error = pull.error;
    if (error instanceof DockerException d) {
      throw missing(runtime, "pulling it failed: " + Engine.message(d), d);
    }
    if (error instanceof RuntimeException e) {
      throw engine.failure("pull the image " + reference, e);
    }
    if (error != null) {
      throw missing(runtime, "pulling it failed: " + error, error);
    }
    if (pull.failure != null) {
      throw missing(runtime, "pulling it failed: " + pull.failure.replaceAll("\\s+", " "), null);
    }
  }

  /**
   * Follows a pull. docker-java's own callback logs every failure as an error before the caller
   * can decide what it means; a missing image is an expected answer here.
   */
  private static final class Pull implements ResultCallback<PullResponseItem> {
    final CountDownLatch done = new CountDownLatch(1);
    volatile Closeable stream;
    volatile Throwable error;
    volatile String failure;

    @Override
    public void onStart(Closeable closeable) {
      stream = closeable;
    }

    @Override
    public void onNext(PullResponseItem item) {
      if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
        failure = item.getErrorDetail().getMessage();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      if (error == null) {
        error = throwable;
      }
      done.countDown();
    }

    @Override
    public void onComplete() {
      done.countDown();
    }

    @Override
    public void close() {
      Closeable s = stream;
      if (s == null) {
        return;
      }
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("closing a pull stream failed", e);
      }
    }
  }

  /**
   * The reference with an explicit tag: without one the engine would pull every tag of the
   * repository.
   */
  static String withTag(String image) {
    if (image.contains("@")) {
      return image;
    }
    int slash = image.lastIndexOf('/');
    return image.indexOf(':', slash + 1) >= 0 ? image : image + ":latest";
  }
}
