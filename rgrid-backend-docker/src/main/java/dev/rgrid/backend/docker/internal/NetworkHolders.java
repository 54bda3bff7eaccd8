package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empty network namespaces for runs without network, each kept by a sleeping holder container
 * with network {@code none}. A run joins an idle one ({@code container:<holder>}) instead of
 * having the engine create and tear down a namespace of its own, which is about 40% of what
 * starting a container costs. Each namespace serves one run at a time, so runs never share one
 * while they run; what a finished run leaves behind in it is nothing: its sockets close with its
 * processes, and with every capability dropped it could change no route, rule or setting.
 *
 * <p>Holders are created on demand (up to the number of runs at once), carry the owner labels so
 * that leftovers of a crashed process are reaped, and are removed by {@link #close()}. A holder
 * that cannot be made (an image without {@code sleep}) turns reuse off for this runtime.
 */
public final class NetworkHolders implements AutoCloseable {
  /** Label on holder containers. */
  public static final String LABEL = "dev.rgrid.netns-holder";

  private static final Logger LOG = LoggerFactory.getLogger(NetworkHolders.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Engine engine;
  private final RunAs runAs;
  private final Owner owner;
  private final ConcurrentLinkedDeque<String> idle = new ConcurrentLinkedDeque<>();
  private final Set<String> all = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean enabled;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Holders on {@code engine}; none at all when not {@code enabled}. */
  public NetworkHolders(Engine engine, RunAs runAs, Owner owner, boolean enabled) {
    this.engine = engine;
    this.runAs = runAs;
    this.owner = owner;
    this.enabled = new AtomicBoolean(enabled);
  }

  /**
   * An idle holder's id for a run from {@code image}, or {@code null} when reuse is off or no
   * holder could be made (the run then gets a namespace of its own).
   */
  public String acquire(String image) {
    if (!enabled.get() || closed.get()) {
      return null;
    }
    String id = idle.pollFirst();
    if (id != null) {
      return id;
    }
    try {
      return create(image);
    } catch (RuntimeException e) {
      // Without a holder every run still works: it just pays for its own namespace.
      enabled.set(false);
      LOG.info("runs get a network namespace each: no holder container could be made from {} "
          + "({})", image, e.getMessage());
      return null;
    }
  }

  /** Gives back a holder whose run has ended and whose container is removed. */
  public void release(String id) {
    if (id == null) {
      return;
    }
    if (closed.get()) {
      remove(id);
    } else {
      idle.addFirst(id); // most recently used first: its pages are warm
    }
  }

  /** Drops a holder that failed a run (it stopped, or was removed from outside). */
  public void discard(String id) {
    if (id != null) {
      remove(id);
    }
  }

  private String create(String image) {
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    String name = "rgrid-netns-" + HexFormat.of().formatHex(suffix);
    Map<String, String> labels = new LinkedHashMap<>(Map.of(LABEL, "true"));
    labels.putAll(owner.labels());
    String id = engine.control().createContainerCmd(image)
        .withName(name)
        .withEntrypoint(List.of("sleep"))
        .withCmd(List.of("2147483647"))
        .withUser(runAs.user())
        .withLabels(labels)
        .withHostConfig(HostConfig.newHostConfig()
            .withNetworkMode("none")
            .withReadonlyRootfs(true)
            .withCapDrop(Capability.ALL)
            .withSecurityOpts(List.of("no-new-privileges"))
            .withPidsLimit(4L)
            .withMemory(16L << 20)
            .withMemorySwap(16L << 20)
            .withInit(true)
            .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE)))
        .exec().getId();
    all.add(id);
    try {
      engine.control().startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      remove(id);
      throw e;
    }
    return id;
  }

  private void remove(String id) {
    all.remove(id);
    idle.remove(id);
    try {
      engine.control().removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      LOG.debug("holder {} was already removed", id);
    } catch (DockerException | IllegalStateException e) {
      LOG.debug("removing holder {} failed; the next start reaps it", id, e);
    } catch (RuntimeException e) {
      LOG.debug("removing holder {} failed; the next start reaps it", id, e);
    }
  }

  /** How many holders exist (idle or serving a run). */
  public int size() {
    return all.size();
  }

  /** Removes every holder; holders still serving a run are removed when it gives them back. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<String> idleNow = new ArrayList<>();
    String id;
    while ((id = idle.pollFirst()) != null) {
      idleNow.add(id);
    }
    idleNow.forEach(this::remove);
  }
}
