package dev.rgrid.backend.docker.internal.swarm;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Service;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.spi.runtime.OutputSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes what swarm runs left behind, by label as {@link Leftovers} does for
 * containers: services and networks carrying {@link Owner#MANAGED}, never those of an RGrid
 * process still running on this machine. A relay container is an ordinary managed container:
 * {@link Leftovers#removeThoseOfEndedOwners} removes those of ended processes.
 */
public final class SwarmLeftovers {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmLeftovers.class);

  /** How long a network still in use is left before it is tried again. */
  private static final long NETWORK_RETRY_MILLIS = 100;

  private final Engine engine;

  /** Leftovers on {@code engine}. */
  public SwarmLeftovers(Engine engine) {
    this.engine = engine;
  }

  /**
   * Removes the services of runs whose RGrid process of this machine has ended, first offering
   * each to {@code recover} (whose sink only gets both streams closed: the output of a swarm run
   * went to its stage as it came, nothing of it is kept on the engine), then their networks and
   * the relays of ended processes.
   *
   * @return how many services were removed
   */
  public int removeRunsOfEndedOwners(Function<Map<String, String>, OutputSink> recover) {
    new Leftovers(engine).removeThoseOfEndedOwners();
    int removed = removeServices(Map.of(), s -> {
      Map<String, String> labels = labels(s);
      if (!endedHere(labels)) {
        return false;
      }
      if (labels.containsKey(Leftovers.EXECUTION)) {
        OutputSink sink = recover.apply(Map.copyOf(labels));
        if (sink != null) {
          sink.closed(OutputSink.Stream.STDOUT);
          sink.closed(OutputSink.Stream.STDERR);
        }
      }
      return true;
    });
    removeNetworks(Map.of(), n -> endedHere(n.getLabels()));
    if (removed > 0) {
      LOG.info("removed {} swarm run(s) left behind by RGrid processes that ended", removed);
    }
    return removed;
  }

  /**
   * Removes the services (and networks) carrying all of {@code labels}, except those of RGrid
   * processes still running on this machine and the services {@code live}.
   *
   * @return how many services were removed
   */
  public int removeLabelled(Map<String, String> labels, Set<String> live) {
    Predicate<Map<String, String>> mayGo = l -> Owner.of(l)
        .map(o -> !o.host().equals(Owner.current().host()) || o.isGoneFromThisMachine())
        .orElse(true);
    int removed = removeServices(labels, s -> !live.contains(s.getId()) && mayGo.test(labels(s)));
    removeNetworks(labels, n -> mayGo.test(n.getLabels()));
    return removed;
  }

  /** The managed services carrying all of {@code labels}. */
  public List<Service> services(Map<String, String> labels) {
    try {
      return engine.control().listServicesCmd().withLabelFilter(managed(labels)).exec();
    } catch (RuntimeException e) {
      throw engine.failure("list RGrid's swarm services", e);
    }
  }

  /** The managed overlay networks carrying all of {@code labels}. */
  public List<Network> networks(Map<String, String> labels) {
    try {
      return engine.control().listNetworksCmd().withFilter("label", managed(labels).entrySet()
          .stream().map(e -> e.getKey() + "=" + e.getValue()).toList()).exec().stream()
          .filter(n -> "overlay".equals(n.getDriver())).toList();
    } catch (RuntimeException e) {
      throw engine.failure("list RGrid's swarm networks", e);
    }
  }

  private int removeServices(Map<String, String> labels, Predicate<Service> which) {
    int removed = 0;
    for (Service s : services(labels)) {
      if (!which.test(s)) {
        continue;
      }
      try {
        engine.control().removeServiceCmd(s.getId()).exec();
        removed++;
        // Engine 20.10 leaves the containers of a removed job (and a network removed under a
        // container keeps a stale entry on the node): they go first, by the service's label.
        for (var c : engine.control().listContainersCmd().withShowAll(true)
            .withLabelFilter(Map.of("com.docker.swarm.service.id", s.getId())).exec()) {
          try {
            engine.control().removeContainerCmd(c.getId()).withForce(true).exec();
          } catch (NotFoundException | com.github.dockerjava.api.exception.ConflictException e) {
            LOG.debug("container {} of leftover service {} already going", c.getId(), s.getId());
          }
        }
      } catch (NotFoundException e) {
        LOG.debug("leftover service {} already gone", s.getId());
      } catch (RuntimeException e) {
        throw engine.failure("remove the leftover service " + s.getId(), e);
      }
    }
    return removed;
  }

  /**
   * Removes the networks carrying all of {@code labels}, trying those still in use again until
   * {@code patience} has passed: an endpoint on its way out frees a network a moment later.
   *
   * @return those still there at the end, by name, each with the engine's last reason
   */
  public List<String> removeNetworksPatiently(Map<String, String> labels, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      List<String> left = removeNetworks(labels, n -> true);
      if (left.isEmpty() || System.nanoTime() - deadline > 0) {
        return left;
      }
      try {
        Thread.sleep(NETWORK_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return left;
      }
    }
  }

  /** Removes the networks chosen; returns those the engine kept, each with its reason. */
  private List<String> removeNetworks(Map<String, String> labels, Predicate<Network> which) {
    List<String> kept = new ArrayList<>();
    for (Network n : networks(labels)) {
      if (!which.test(n)) {
        continue;
      }
      try {
        engine.control().removeNetworkCmd(n.getId()).exec();
      } catch (NotFoundException e) {
        LOG.debug("leftover network {} already gone", n.getId());
      } catch (DockerException e) {
        // Still in use (a task's container going away, a relay still attached): next sweep.
        LOG.debug("leftover network {} not removed yet: {}", n.getId(), Engine.message(e));
        kept.add(n.getName() + " (" + Engine.message(e) + ")");
      }
    }
    return kept;
  }

  private static Map<String, String> managed(Map<String, String> labels) {
    Map<String, String> filter = new LinkedHashMap<>(labels);
    filter.put(Owner.MANAGED, "true");
    return filter;
  }

  private static boolean endedHere(Map<String, String> labels) {
    return Owner.of(labels == null ? Map.of() : labels).map(Owner::isGoneFromThisMachine)
        .orElse(false);
  }

  private static Map<String, String> labels(Service s) {
    Map<String, String> labels = s.getSpec() == null ? null : s.getSpec().getLabels();
    return labels == null ? Map.of() : labels;
  }
}
