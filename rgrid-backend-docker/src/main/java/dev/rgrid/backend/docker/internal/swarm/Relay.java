package dev.rgrid.backend.docker.internal.swarm;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.spi.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The way out of a swarm run's network, and the only one: a small container of this worker
 * ({@link #IMAGE}, running {@code relay.py}) that forwards every connection it accepts, byte for
 * byte, to this JVM's {@link StagingServer}. It sits on the bridge network {@link #NETWORK}
 * (internal: no route out of the machine), whose gateway is this host: the staging server listens
 * on that gateway address only. Each run's internal overlay network is connected to the relay
 * for the run's time ({@link #attach}), so the run's task can reach the relay's address on its
 * own network, and through it its own stage, with its token.
 */
public final class Relay implements AutoCloseable {
  /** The shared bridge network of the relays of this machine; kept, like docker_gwbridge. */
  public static final String NETWORK = "rgrid-staging";
  /** The image the relay runs (any image with python3 would do). */
  public static final String IMAGE = "rgrid/python:3.11";
  /** The port the relay listens on, on every network it is attached to. */
  public static final int PORT = 8080;
  /** Marks the relay containers. */
  public static final String ROLE = "dev.rgrid.swarm.relay";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Engine engine;
  private final StagingServer staging;
  private final String id;

  private Relay(Engine engine, StagingServer staging, String id) {
    this.engine = engine;
    this.staging = staging;
    this.id = id;
  }

  /**
   * Makes (or finds) the bridge network, starts the staging server on its gateway and the relay
   * container on it, owned by {@code owner} and run as {@code user}.
   */
  public static Relay start(Engine engine, Owner owner, String user) {
    InetAddress gateway = gateway(engine);
    StagingServer staging = StagingServer.start(gateway);
    try {
      byte[] suffix = new byte[4];
      RANDOM.nextBytes(suffix);
      Map<String, String> labels = new LinkedHashMap<>(owner.labels());
      labels.put(ROLE, "true");
      String id;
      try {
        id = engine.control().createContainerCmd(IMAGE)
            .withName("rgrid-relay-" + HexFormat.of().formatHex(suffix))
            .withEntrypoint(List.of("python3"))
            .withCmd(List.of("-u", "-c", resource("relay.py"), gateway.getHostAddress(),
                Integer.toString(staging.port())))
            .withUser(user)
            .withLabels(labels)
            .withHostConfig(HostConfig.newHostConfig()
                .withNetworkMode(NETWORK)
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(128L << 20)
                .withMemorySwap(128L << 20)
                .withPidsLimit(1024L)
                .withInit(true))
            .exec().getId();
      } catch (NotFoundException e) {
        throw new BackendUnavailableException(Engine.BACKEND, "the relay image " + IMAGE
            + " is not on the Docker engine at " + engine.endpoint(),
            "build it with scripts/docker-setup", e);
      }
      Relay relay = new Relay(engine, staging, id);
      try {
        engine.control().startContainerCmd(id).exec();
      } catch (RuntimeException e) {
        relay.close();
        throw engine.failure("start the swarm relay", e);
      }
      return relay;
    } catch (RuntimeException e) {
      staging.close();
      throw e;
    }
  }

  /** The staging server the relay forwards to. */
  public StagingServer staging() {
    return staging;
  }

  /** The relay container's id. */
  public String id() {
    return id;
  }

  /**
   * Connects the relay to the (attachable) network {@code network}.
   *
   * @return the relay's address there
   */
  public String attach(String network) {
    try {
      engine.control().connectToNetworkCmd().withNetworkId(network).withContainerId(id).exec();
      ContainerNetwork there = engine.control().inspectContainerCmd(id).exec()
          .getNetworkSettings().getNetworks().values().stream()
          .filter(n -> network.equals(n.getNetworkID())).findFirst()
          .orElseThrow(() -> new IllegalStateException("relay not on network " + network));
      return there.getIpAddress();
    } catch (DockerException e) {
      throw engine.failure("connect the swarm relay to network " + network, e);
    }
  }

  /**
   * Disconnects the relay from {@code network}; gone networks are fine, and so is a network the
   * relay never joined (an attach the engine refused).
   */
  public void detach(String network) {
    try {
      engine.control().disconnectFromNetworkCmd().withNetworkId(network).withContainerId(id)
          .withForce(true).exec();
    } catch (NotFoundException | ConflictException e) {
      // Not connected any more, or the network is gone: nothing to undo.
    } catch (DockerException e) {
      // Engine 20.10 answers 500, not 404 or 409, for a container not on the network: after a
      // refused attach that is the expected state, and the run's network must still be removed.
      if (Engine.message(e).contains("is not connected")) {
        return;
      }
      throw engine.failure("disconnect the swarm relay from network " + network, e);
    }
  }

  /** Stops the staging server and removes the relay container. */
  @Override
  public void close() {
    staging.close();
    try {
      engine.control().removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      // Removed from outside already.
    } catch (RuntimeException e) {
      throw engine.failure("remove the swarm relay " + id, e);
    }
  }

  /** The gateway of {@link #NETWORK}, made first when missing. */
  private static InetAddress gateway(Engine engine) {
    Network network = find(engine);
    if (network == null) {
      try {
        engine.control().createNetworkCmd().withName(NETWORK).withDriver("bridge")
            .withInternal(true).withLabels(Map.of(Owner.MANAGED, "true")).exec();
      } catch (ConflictException e) {
        // Another RGrid process made it meanwhile.
      } catch (RuntimeException e) {
        throw engine.failure("create the network " + NETWORK, e);
      }
      network = find(engine);
    }
    if (network == null || network.getIpam() == null || network.getIpam().getConfig() == null
        || network.getIpam().getConfig().isEmpty()
        || network.getIpam().getConfig().get(0).getGateway() == null) {
      throw new BackendUnavailableException(Engine.BACKEND, "the network " + NETWORK
          + " on the Docker engine at " + engine.endpoint() + " has no gateway address",
          "remove it (docker network rm " + NETWORK + ") and let RGrid make it again", null);
    }
    try {
      return InetAddress.getByName(network.getIpam().getConfig().get(0).getGateway());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Network find(Engine engine) {
    try {
      return engine.control().listNetworksCmd().withNameFilter(NETWORK).exec().stream()
          .filter(n -> NETWORK.equals(n.getName())).findFirst().orElse(null);
    } catch (RuntimeException e) {
      throw engine.failure("list networks", e);
    }
  }

  /** A Python source of this package. */
  static String resource(String name) {
    try (InputStream in = Relay.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
