package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.backend.docker.ContainerStartException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.OutputSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one container: creates it, attaches to its output (and stdin) before the start so that
 * nothing it writes is missed, then starts it. Whatever fails on the way is removed again.
 */
public final class Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);
  private static final String START_HINT = "check the engine's log (journalctl -u docker, or the "
      + "dockerd output) and free disk space, then run it again";

  private final Engine engine;
  private final Images images;
  private final ContainerRecipe recipe;
  private final NetworkHolders holders;
  private final RunAs runAs;

  /** Launches on {@code engine} with {@code recipe}, without reusing network namespaces. */
  public Launcher(Engine engine, Images images, ContainerRecipe recipe, RunAs runAs) {
    this(engine, images, recipe, runAs, new NetworkHolders(engine, runAs, Owner.current(),
        false));
  }

  /** Launches on {@code engine} with {@code recipe}, runs without network joining holders. */
  public Launcher(Engine engine, Images images, ContainerRecipe recipe, RunAs runAs,
      NetworkHolders holders) {
    this.holders = holders;
    this.engine = engine;
    this.images = images;
    this.recipe = recipe;
    this.runAs = runAs;
  }

  /**
   * Creates, attaches and starts the container of {@code spec}.
   *
   * @param onClose runs once when the returned container is closed
   * @throws dev.rgrid.spi.runtime.RuntimeUnavailableException when the image is gone
   * @throws dev.rgrid.spi.BackendUnavailableException when the engine does not answer or refuses
   */
  public DockerContainer launch(ContainerSpec spec, OutputSink sink,
      Consumer<DockerContainer> onClose) {
    // A run fed stdin cannot be launched twice (its stdin is consumed): it gets its own network.
    String holder = spec.limits().network() || spec.stdin() != null ? null
        : holders.acquire(spec.runtime().image());
    if (holder == null) {
      return launch(spec, sink, onClose, null);
    }
    java.util.concurrent.atomic.AtomicBoolean given = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      return launch(spec, sink, c -> {
        try {
          onClose.accept(c);
        } finally {
          if (given.compareAndSet(false, true)) {
            holders.release(holder);
          }
        }
      }, holder);
    } catch (ContainerStartException e) {
      if (e.refusedSettings()) {
        given.set(true);
        holders.release(holder); // the run's settings were refused, not the holder
        throw e;
      }
      // The holder may have been stopped or removed from outside: drop it, launch once more on
      // a namespace of the run's own.
      LOG.debug("launch on network holder {} failed; launching without it", holder, e);
      given.set(true);
      holders.discard(holder);
      return launch(spec, sink, onClose, null);
    } catch (RuntimeException e) {
      if (given.compareAndSet(false, true)) {
        holders.release(holder); // the failure was not the holder's: it serves the next run
      }
      throw e;
    }
  }

  private DockerContainer launch(ContainerSpec spec, OutputSink sink,
      Consumer<DockerContainer> onClose, String holder) {
    InputStream stdin = spec.stdin();
    String name = ContainerRecipe.name(spec.name());
    String id;
    try {
      Path workDir = realDirectory(spec.workDir(), "working directory");
      Path scriptDir = realDirectory(spec.scriptDir(), "script directory");
      if (!Files.isRegularFile(scriptDir.resolve(spec.scriptName()))) {
        throw new IllegalArgumentException("script does not exist: "
            + scriptDir.resolve(spec.scriptName()));
      }
      runAs.grant(List.of(workDir, scriptDir));
      id = create(spec, name, workDir, scriptDir, holder);
    } catch (RuntimeException e) {
      closeQuietly(stdin, name); // the spec hands its stdin over to the runtime, to close
      throw e;
    }
    return attachAndStart(id, name, stdin, sink, onClose);
  }

  /**
   * Attaches to the output (and stdin, when {@code stdin} is not null) of the created container
   * {@code id}, then starts it. On failure the container is closed (removed) again.
   */
  DockerContainer attachAndStart(String id, String name, InputStream stdin, OutputSink sink,
      Consumer<DockerContainer> onClose) {
    DockerContainer container = new DockerContainer(engine, id, name, stdin, onClose);
    try {
      OutputPump pump = new OutputPump(name, sink, container::streamEnded);
      container.pump(pump);
      try {
        engine.streams().attachContainerCmd(id)
            .withStdOut(true).withStdErr(true).withFollowStream(true).withLogs(false)
            .exec(pump);
      } catch (RuntimeException e) {
        throw engine.failure("attach to container " + name, e);
      }
      Throwable notAttached = pump.awaitStarted(ATTACH_TIMEOUT);
      if (notAttached != null) {
        throw new ContainerStartException(name, "could not attach to the output of "
            + "container " + name + " on the Docker engine at " + engine.endpoint() + ": "
            + notAttached, START_HINT, notAttached);
      }
      StdinFeeder feeder = null;
      if (stdin != null) {
        feeder = attachStdin(id, name, stdin);
        container.feeder(feeder);
      }
      start(name, id);
      container.started();
      if (feeder != null) {
        feeder.start();
      }
      return container;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      RGridException interrupted = new RGridException("interrupted while starting container "
          + name, null, null, e);
      try {
        container.close();
      } catch (RuntimeException cleanup) {
        interrupted.addSuppressed(cleanup);
      }
      throw interrupted;
    } catch (RuntimeException e) {
      try {
        container.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private StdinFeeder attachStdin(String id, String name, InputStream stdin) {
    if (engine.tls()) {
      throw new ContainerStartException(name, "cannot feed stdin to container " + name
          + " through the TLS endpoint " + engine.endpoint(), "run it without stdin, or reach "
          + "the engine through its Unix socket", null);
    }
    try {
      return StdinFeeder.attach(engine.endpoint(), engine.apiVersion(), id, stdin, name,
          ATTACH_TIMEOUT);
    } catch (IOException e) {
      throw new ContainerStartException(name, "could not attach to the stdin of container "
          + name + " on the Docker engine at " + engine.endpoint() + ": " + e.getMessage(),
          START_HINT, e);
    }
  }

  private String create(ContainerSpec spec, String name, Path workDir, Path scriptDir,
      String holder) {
    String image = spec.runtime().image();
    try {
      return recipe.create(engine.control(), spec, name, workDir, scriptDir, holder).exec()
          .getId();
    } catch (NotFoundException e) {
      images.forget(image);
      throw images.missing(spec.runtime(), "it was removed after the runtime was prepared", e);
    } catch (BadRequestException e) {
      // 400: the engine refuses the settings themselves (e.g. "Range of CPUs is from 0.01 to
      // 2.00"); the same run would be refused every time, so it is not for a retry to cure.
      String why = Engine.message(e);
      throw new ContainerStartException(name, "the Docker engine at " + engine.endpoint()
          + " refused the settings of container " + name + " from " + image + ": " + why,
          refusalHint(why), true, e);
    } catch (DockerException e) {
      throw new ContainerStartException(name, "the Docker engine at " + engine.endpoint()
          + " refused to create container " + name + " from " + image + ": "
          + Engine.message(e), START_HINT, e);
    } catch (RuntimeException e) {
      throw engine.failure("create container " + name, e);
    }
  }

  private void start(String name, String id) {
    try {
      engine.control().startContainerCmd(id).exec();
    } catch (DockerException e) {
      // An interpreter missing from the image does not fail here: the init process starts, then
      // fails to exec it and exits with 127, saying so on stderr, like a shell would.
      String why = Engine.message(e);
      throw new ContainerStartException(name, "the Docker engine at " + engine.endpoint()
          + " could not start container " + name + ": " + why, START_HINT, e);
    } catch (RuntimeException e) {
      throw engine.failure("start container " + name, e);
    }
  }

  /** What to do about settings the engine refused, as its reason {@code why} suggests. */
  static String refusalHint(String why) {
    String w = why.toLowerCase(java.util.Locale.ROOT);
    if (w.contains("cpu")) {
      return "ask for no more CPUs than the engine's machine has (--cpus, milliCpus); retrying "
          + "the same run cannot succeed";
    }
    if (w.contains("memory")) {
      return "ask for a memory limit the engine accepts (--memory, memoryBytes); retrying the "
          + "same run cannot succeed";
    }
    return "change what the run asks for (its limits, network or runtime), or check the "
        + "engine's log; retrying the same run cannot succeed";
  }

  private static void closeQuietly(InputStream stdin, String name) {
    if (stdin == null) {
      return;
    }
    try {
      stdin.close();
    } catch (IOException e) {
      LOG.debug("closing the stdin meant for {} failed", name, e);
    }
  }

  /**
   * {@code dir} resolved to its real path, which must be a directory ({@code what} names it in
   * the error): what a run's directories are checked by in either runtime.
   */
  public static Path realDirectory(Path dir, String what) {
    try {
      Path real = dir.toRealPath();
      if (!Files.isDirectory(real)) {
        throw new IllegalArgumentException(what + " is not a directory: " + dir);
      }
      return real;
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " does not exist: " + dir, e);
    }
  }
}
