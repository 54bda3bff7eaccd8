package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.rgrid.spi.runtime.OutputSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes containers RGrid left behind. Only containers carrying {@link Owner#MANAGED}
 * are ever touched, and never one whose owner process still runs on this machine.
 */
public final class Leftovers {
  /** The label naming the execution a container runs (set by whoever starts the run). */
  public static final String EXECUTION = "dev.rgrid.execution";

  private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

  private final Engine engine;
  private final KeptOutput kept;

  /** Leftovers on {@code engine}. */
  public Leftovers(Engine engine) {
    this.engine = engine;
    this.kept = new KeptOutput(engine);
  }

  /**
   * Removes the containers of RGrid processes of this machine that have ended (crashed, killed),
   * except those of runs: they are left to {@link #removeRunsOfEndedOwners}, which can read back
   * their output first.
   *
   * @return how many were removed
   */
  public int removeThoseOfEndedOwners() {
    int removed = remove(Map.of(), c -> !labels(c).containsKey(EXECUTION)
        && endedHere(c));
    if (removed > 0) {
      LOG.info("removed {} container(s) left behind by RGrid processes that ended", removed);
    }
    return removed;
  }

  /**
   * Removes the containers of runs that RGrid processes of this machine left behind when they
   * ended, first offering each to {@code recover}: a sink it returns gets what the engine kept of
   * the container's output (see {@link dev.rgrid.spi.runtime.ContainerRuntime#reapLeftovers}).
   *
   * @return how many were removed
   */
  public int removeRunsOfEndedOwners(Function<Map<String, String>, OutputSink> recover) {
    int removed = remove(Map.of(), c -> {
      if (!labels(c).containsKey(EXECUTION) || !endedHere(c)) {
        return false;
      }
      OutputSink sink = recover.apply(Map.copyOf(labels(c)));
      if (sink != null) {
        kept.readInto(c.getId(), sink);
      }
      return true;
    });
    if (removed > 0) {
      LOG.info("removed {} run container(s) left behind by RGrid processes that ended", removed);
    }
    return removed;
  }

  private static boolean endedHere(Container c) {
    return Owner.of(labels(c)).map(Owner::isGoneFromThisMachine).orElse(false);
  }

  /**
   * Removes the containers carrying all of {@code labels}, except those of RGrid processes still
   * running on this machine (this one included): a live process removes its own containers.
   * Containers of other machines are removed on the caller's word.
   *
   * @param live ids of containers this runtime still has open, never removed
   * @return how many were removed
   */
  public int removeLabelled(Map<String, String> labels, Set<String> live) {
    return remove(labels, c -> !live.contains(c.getId()) && Owner.of(labels(c))
        .map(o -> !o.host().equals(Owner.current().host()) || o.isGoneFromThisMachine())
        .orElse(true));
  }

  /** The managed containers carrying all of {@code labels}, running or not. */
  public List<Container> list(Map<String, String> labels) {
    Map<String, String> filter = new LinkedHashMap<>(labels);
    filter.put(Owner.MANAGED, "true");
    try {
      return engine.control().listContainersCmd().withShowAll(true).withLabelFilter(filter)
          .exec();
    } catch (RuntimeException e) {
      throw engine.failure("list RGrid's containers", e);
    }
  }

  private int remove(Map<String, String> labels, Predicate<Container> which) {
    int removed = 0;
    for (Container c : list(labels)) {
      if (!which.test(c)) {
        continue;
      }
      try {
        engine.control().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true)
            .exec();
        removed++;
        LOG.debug("removed leftover container {} ({})", c.getId(), labels(c));
      } catch (NotFoundException | ConflictException e) {
        // Removed meanwhile by someone else (another RGrid process reaping at the same time).
        LOG.debug("leftover container {} already gone: {}", c.getId(), Engine.message(e));
      } catch (RuntimeException e) {
        throw engine.failure("remove the leftover container " + c.getId(), e);
      }
    }
    return removed;
  }

  private static Map<String, String> labels(Container c) {
    return c.getLabels() == null ? Map.of() : c.getLabels();
  }
}
