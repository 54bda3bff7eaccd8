package dev.rgrid.backend.docker.internal.swarm;

import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.SwarmNodeAvailability;
import com.github.dockerjava.api.model.SwarmNodeResources;
import com.github.dockerjava.api.model.SwarmNodeState;
import dev.rgrid.backend.docker.ContainerStartException;
import dev.rgrid.backend.docker.internal.Engine;
import java.util.List;
import java.util.Locale;

/**
 * What the runtime asks of the swarm's nodes: whether any could ever hold a run's reservation,
 * and whether the node of a running task is still there.
 */
public final class Nodes {
  private final Engine engine;

  /** The nodes of the swarm that {@code engine} manages. */
  public Nodes(Engine engine) {
    this.engine = engine;
  }

  /**
   * Checks that some node that takes work (ready, active) has at least {@code nanoCpus} and
   * {@code memoryBytes} in all. A reservation no node has would leave the task pending until the
   * run's timeout; refused at once instead, as settings no retry cures.
   *
   * @throws ContainerStartException naming the reservation and the largest node when none has it
   */
  public void requireRoomFor(String name, long nanoCpus, long memoryBytes) {
    List<SwarmNode> nodes;
    try {
      nodes = engine.control().listSwarmNodesCmd().exec();
    } catch (RuntimeException e) {
      throw engine.failure("list the swarm's nodes", e);
    }
    long mostCpus = 0;
    long mostMemory = 0;
    for (SwarmNode node : nodes) {
      if (!takesWork(node)) {
        continue;
      }
      SwarmNodeResources has = node.getDescription() == null ? null
          : node.getDescription().getResources();
      long cpus = has == null || has.getNanoCPUs() == null ? 0 : has.getNanoCPUs();
      long memory = has == null || has.getMemoryBytes() == null ? 0 : has.getMemoryBytes();
      if (cpus >= nanoCpus && memory >= memoryBytes) {
        return;
      }
      mostCpus = Math.max(mostCpus, cpus);
      mostMemory = Math.max(mostMemory, memory);
    }
    throw new ContainerStartException(name, "no node of the swarm can reserve "
        + cpus(nanoCpus) + " CPUs and " + mib(memoryBytes) + " MiB for " + name
        + (mostCpus == 0 && mostMemory == 0 ? ": no node is ready and active"
            : ": the largest ready node has " + cpus(mostCpus) + " CPUs and " + mib(mostMemory)
                + " MiB"), "ask for less (--cpus, --memory), or add a larger node to the swarm",
        true, null);
  }

  /**
   * The CPUs of the largest ready, active node, whole (0 when no node says): what one run may
   * ask for at most, whichever node it lands on.
   */
  public int mostCpus() {
    long most = 0;
    for (SwarmNode node : engine.control().listSwarmNodesCmd().exec()) {
      SwarmNodeResources has = node.getDescription() == null ? null
          : node.getDescription().getResources();
      if (takesWork(node) && has != null && has.getNanoCPUs() != null) {
        most = Math.max(most, has.getNanoCPUs());
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, most / 1_000_000_000L);
  }

  /**
   * Whether the node {@code id} is down or unknown to the swarm (its tasks then never report
   * their end). A node the engine cannot be asked about is not taken for lost.
   */
  public boolean lost(String id) {
    if (id == null || id.isEmpty()) {
      return false;
    }
    try {
      List<SwarmNode> found = engine.control().listSwarmNodesCmd().withIdFilter(List.of(id))
          .exec();
      if (found.isEmpty()) {
        return true; // removed from the swarm
      }
      SwarmNodeState state = found.get(0).getStatus() == null ? null
          : found.get(0).getStatus().getState();
      return state == SwarmNodeState.DOWN || state == SwarmNodeState.UNKNOWN;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** This engine's own node id in the swarm, or {@code null} when it does not say. */
  public String self() {
    try {
      var swarm = engine.control().infoCmd().exec().getSwarm();
      return swarm == null ? null : swarm.getNodeID();
    } catch (RuntimeException e) {
      throw engine.failure("say its swarm node id", e);
    }
  }

  private static boolean takesWork(SwarmNode node) {
    boolean ready = node.getStatus() != null
        && node.getStatus().getState() == SwarmNodeState.READY;
    boolean active = node.getSpec() == null
        || node.getSpec().getAvailability() == SwarmNodeAvailability.ACTIVE;
    return ready && active;
  }

  private static String cpus(long nanoCpus) {
    return java.math.BigDecimal.valueOf(nanoCpus, 9).stripTrailingZeros().toPlainString();
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%d", bytes >> 20);
  }
}
