package dev.rgrid.backend.docker;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How {@link DockerRuntime} reaches its engine and the limits it gives containers whose run does
 * not set its own. Derive changed copies with the {@code with…} methods.
 *
 * @param dockerHost the engine's endpoint: {@code unix:///var/run/docker.sock} or {@code
 *     tcp://host:2375} (TLS settings then come from {@code DOCKER_TLS_VERIFY} and {@code
 *     DOCKER_CERT_PATH})
 * @param apiVersion the Engine API version spoken ({@code 1.41} works with engine 20.10 and later)
 * @param memoryBytes memory limit of a container whose run sets none; swap is not allowed on top
 * @param milliCpus CPU limit, in thousandths of a CPU, of a container whose run sets none
 * @param pidsLimit most processes (and threads) a container may have at once
 * @param tmpBytes size of the in-memory {@code /tmp} of each container (and of its {@code
 *     /dev/shm}, which Python's multiprocessing needs); both count against the memory limit
 * @param user the numeric {@code uid:gid} scripts run as, or {@code null} to choose: {@code
 *     65534:65534} (nobody) when this JVM runs as root, else this JVM's own uid and gid
 * @param pingTimeout how long the engine may take to answer when the runtime connects
 * @param pullTimeout how long pulling a missing image may take; zero never pulls
 * @param warmContainers how many started containers to keep ready per runtime image for runs with
 *     the default limits and no network (see {@link DockerRuntime}); zero, the default, starts
 *     each run's container on demand
 * @param reuseNetworks whether runs without network join an idle, empty network namespace kept
 *     by a holder container instead of having the engine make a new one each time (one run at a
 *     time per namespace; see {@link DockerRuntime}); on by default
 */
public record DockerSettings(URI dockerHost, String apiVersion, long memoryBytes, long milliCpus,
    long pidsLimit, long tmpBytes, String user, Duration pingTimeout, Duration pullTimeout,
    int warmContainers, boolean reuseNetworks) {

  /** Settings that reuse network namespaces. */
  public DockerSettings(URI dockerHost, String apiVersion, long memoryBytes, long milliCpus,
      long pidsLimit, long tmpBytes, String user, Duration pingTimeout, Duration pullTimeout,
      int warmContainers) {
    this(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit, tmpBytes, user, pingTimeout,
        pullTimeout, warmContainers, true);
  }

  /** The engine's usual local endpoint. */
  public static final URI LOCAL_SOCKET = URI.create("unix:///var/run/docker.sock");

  private static final Set<String> SCHEMES = Set.of("unix", "tcp", "npipe");
  private static final Pattern API_VERSION = Pattern.compile("1\\.[0-9]{1,3}");
  private static final Pattern USER = Pattern.compile("[0-9]{1,10}(:[0-9]{1,10})?");
  // The engine refuses memory limits under 6 MiB and CPU limits under 0.01 CPU.
  private static final long MIN_MEMORY = 6L << 20;
  private static final long MIN_MILLI_CPUS = 10;
  private static final int MAX_WARM = 64;

  /** Checks the values. */
  public DockerSettings {
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(pingTimeout, "pingTimeout");
    Objects.requireNonNull(pullTimeout, "pullTimeout");
    if (dockerHost.getScheme() == null || !SCHEMES.contains(dockerHost.getScheme())) {
      throw new IllegalArgumentException("unsupported Docker endpoint '" + dockerHost
          + "': expected unix:///path/to/docker.sock or tcp://host:port");
    }
    if (!API_VERSION.matcher(apiVersion).matches()) {
      throw new IllegalArgumentException("not a Docker API version: '" + apiVersion + "'");
    }
    if (memoryBytes < MIN_MEMORY) {
      throw new IllegalArgumentException("memory limit must be at least 6 MiB, was " + memoryBytes);
    }
    if (milliCpus < MIN_MILLI_CPUS) {
      throw new IllegalArgumentException("CPU limit must be at least 10 milli-CPUs, was "
          + milliCpus);
    }
    if (pidsLimit < 1 || tmpBytes < 1) {
      throw new IllegalArgumentException("pids limit and /tmp size must be positive");
    }
    if (user != null && !USER.matcher(user).matches()) {
      throw new IllegalArgumentException("user must be a numeric uid or uid:gid, was '" + user
          + "'");
    }
    if (warmContainers < 0 || warmContainers > MAX_WARM) {
      throw new IllegalArgumentException("warm containers must be between 0 and " + MAX_WARM
          + ", was " + warmContainers);
    }
    if (pingTimeout.isNegative() || pingTimeout.isZero() || pullTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must be positive (pull timeout 0: never pull)");
    }
  }

  /**
   * The local socket, API 1.41, 1 GiB of memory and 1 CPU per container, 256 processes, a 64 MiB
   * {@code /tmp}, the automatic user, 2 s to answer a ping, 5 minutes to pull an image, and no
   * warm containers.
   */
  public static DockerSettings defaults() {
    return new DockerSettings(LOCAL_SOCKET, "1.41", 1L << 30, 1000, 256, 64L << 20, null,
        Duration.ofSeconds(2), Duration.ofMinutes(5), 0, true);
  }

  /** The defaults, on the endpoint named by {@code DOCKER_HOST} when it is set. */
  public static DockerSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * The defaults, on the endpoint named by {@code DOCKER_HOST} in {@code env} when it is set.
   *
   * @throws IllegalArgumentException when {@code DOCKER_HOST} is not a usable endpoint
   */
  public static DockerSettings fromEnvironment(Map<String, String> env) {
    DockerSettings settings = defaults();
    // RGRID_DOCKER_PULL=never: a missing image is an error at once, no registry is contacted
    // (machines with no registry, and test suites that must not send traffic off the host).
    if ("never".equalsIgnoreCase(env.getOrDefault("RGRID_DOCKER_PULL", "").trim())) {
      settings = settings.withTimeouts(settings.pingTimeout(), Duration.ZERO);
    }
    String warm = env.getOrDefault("RGRID_DOCKER_WARM", "").trim();
    if (!warm.isEmpty()) {
      try {
        settings = settings.withWarmContainers(Integer.parseInt(warm));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("RGRID_DOCKER_WARM must be a number of containers "
            + "(0 to " + MAX_WARM + "), was '" + warm + "'", e);
      }
    }
    // RGRID_DOCKER_REUSE_NETWORKS=0: a new network namespace for every run, as docker run makes.
    if ("0".equals(env.getOrDefault("RGRID_DOCKER_REUSE_NETWORKS", "").trim())) {
      settings = settings.withReuseNetworks(false);
    }
    String host = env.get("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      return settings;
    }
    try {
      return settings.withDockerHost(new URI(host.trim()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("DOCKER_HOST is not a valid endpoint: '" + host + "'", e);
    }
  }

  /** A copy on another endpoint. */
  public DockerSettings withDockerHost(URI value) {
    return new DockerSettings(value, apiVersion, memoryBytes, milliCpus, pidsLimit, tmpBytes,
        user, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy speaking another API version. */
  public DockerSettings withApiVersion(String value) {
    return new DockerSettings(dockerHost, value, memoryBytes, milliCpus, pidsLimit, tmpBytes,
        user, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy with other default memory and CPU limits. */
  public DockerSettings withResources(long memory, long milliCpu) {
    return new DockerSettings(dockerHost, apiVersion, memory, milliCpu, pidsLimit, tmpBytes,
        user, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy with another pids limit. */
  public DockerSettings withPidsLimit(long value) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, value, tmpBytes,
        user, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy with another {@code /tmp} size. */
  public DockerSettings withTmpBytes(long value) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit, value,
        user, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy running scripts as {@code value} ({@code uid[:gid]}, or {@code null} to choose). */
  public DockerSettings withUser(String value) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit,
        tmpBytes, value, pingTimeout, pullTimeout, warmContainers, reuseNetworks);
  }

  /** A copy with other ping and pull timeouts. */
  public DockerSettings withTimeouts(Duration ping, Duration pull) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit,
        tmpBytes, user, ping, pull, warmContainers, reuseNetworks);
  }

  /**
   * A copy keeping {@code value} started containers ready per runtime image (0 to 64; 0 turns
   * the warm pool off).
   */
  public DockerSettings withWarmContainers(int value) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit,
        tmpBytes, user, pingTimeout, pullTimeout, value, reuseNetworks);
  }

  /** A copy reusing (or not) idle network namespaces for runs without network. */
  public DockerSettings withReuseNetworks(boolean value) {
    return new DockerSettings(dockerHost, apiVersion, memoryBytes, milliCpus, pidsLimit,
        tmpBytes, user, pingTimeout, pullTimeout, warmContainers, value);
  }
}
