package dev.rgrid.backend.docker.internal.swarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.backend.docker.internal.Owner;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service of one swarm run, as the JSON body of {@code POST /services/create} (docker-java's
 * model lacks job modes, capability drops and the pids limit): a {@code replicated-job} of one
 * completion, never restarted, whose task runs {@code bootstrap.py} with the same hardening as
 * the Docker runtime's containers: read-only root file system, {@code /work}, {@code /rgrid} and
 * {@code /tmp} in memory, a non-root user, every capability dropped, an init process, CPU,
 * memory and pids limits (the CPU and memory a run asks for reserved too, so the swarm places the
 * task on a node that has them, among those meeting the run's placement constraints: see {@link
 * #reservations}), on the run's own network
 * only: internal, with no name server that answers, unless the run asks for the network (then
 * the node's gateway bridge and name servers give it egress, as the Docker runtime's bridge does).
 */
public final class SwarmRecipe {
  /** Where the working directory lives in the task. */
  public static final String WORK = "/work";
  /** Where the script and the files beside it live in the task. */
  public static final String SCRIPTS = "/rgrid";
  /** Marks the containers of swarm runs' tasks. */
  public static final String TASK = "dev.rgrid.swarm.task";
  /**
   * Names the runtime (one per {@code SwarmRuntime}, several may share a JVM) whose run a service
   * or network is, so that a runtime's close removes its own networks and no other's.
   */
  public static final String RUNTIME = "dev.rgrid.swarm.runtime";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOOTSTRAP = Relay.resource("bootstrap.py");
  /** 01777, as tmpfs mounts take it. */
  private static final int STICKY_WORLD = 01777;

  private final DockerSettings settings;
  private final String user;
  private final Owner owner;
  private final String runtime;

  /**
   * Services with the defaults of {@code settings}, run as {@code user}, owned by {@code owner},
   * marked as the runs of the runtime {@code runtime}.
   */
  public SwarmRecipe(DockerSettings settings, String user, Owner owner, String runtime) {
    this.settings = settings;
    this.user = user;
    this.owner = owner;
    this.runtime = runtime;
  }

  /**
   * The create body of the service {@code name} for {@code spec}, on network {@code network},
   * its task reaching its stage at {@code stageUrl}.
   */
  public byte[] create(ContainerSpec spec, String name, String network, String stageUrl) {
    Limits limits = spec.limits();
    long memory = memoryBytes(limits);
    long nanoCpus = nanoCpus(limits);
    long pids = limits.pids() > 0 ? limits.pids() : settings.pidsLimit();
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("Image", spec.runtime().image());
    container.put("Command", List.of(python(spec), "-c", BOOTSTRAP));
    // Only the stage's address: the script's own environment (its secrets) is fetched from the
    // stage, so it is never written into the swarm's service records.
    container.put("Env", List.of("RGRID_STAGE=" + stageUrl, "RGRID_USER=" + uidGid(user),
        "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1", "HOME=" + WORK));
    container.put("Dir", WORK);
    // Root only to hand the in-memory directories over (the engine ignores tmpfs modes on
    // services): the bootstrap then sets no_new_privs and becomes `user`, keeping nothing.
    container.put("User", "0:0");
    container.put("ReadOnly", true);
    container.put("Init", true);
    container.put("CapabilityDrop", List.of("ALL"));
    container.put("CapabilityAdd", List.of("CAP_CHOWN", "CAP_SETUID", "CAP_SETGID"));
    // RGrid's mark and owner too: a task container the swarm started after its service was
    // removed is an ordinary leftover container of this process for Leftovers to remove.
    Map<String, String> containerLabels = new LinkedHashMap<>(owner.labels());
    containerLabels.put(TASK, "true");
    container.put("Labels", containerLabels);
    // Killed at once when the service is removed (cancel, timeout): there is nothing to save.
    container.put("StopSignal", "SIGKILL");
    container.put("StopGracePeriod", 1_000_000_000L);
    container.put("Mounts", List.of(tmpfs(WORK, memory), tmpfs(SCRIPTS, memory),
        tmpfs("/tmp", settings.tmpBytes())));
    // Names resolve through the engine's resolver, which would ask the node's name servers for
    // any name it does not know: without network it asks one that is not there, once, briefly.
    if (!limits.network()) {
      container.put("DNSConfig", Map.of("Nameservers", List.of("127.0.0.1"),
          "Options", List.of("timeout:1", "attempts:1")));
    }
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("ContainerSpec", container);
    Map<String, Object> resources = new LinkedHashMap<>();
    resources.put("Limits", Map.of("NanoCPUs", nanoCpus, "MemoryBytes", memory, "Pids", pids));
    Map<String, Long> reserved = reservations(limits);
    if (!reserved.isEmpty()) {
      // Left out, not empty, when nothing is reserved: the engine's constraint enforcer checks
      // a task with any reservation object against what it thinks the node has left (see
      // reservations), and an empty one too, as 0 bytes against a negative rest.
      resources.put("Reservations", reserved);
    }
    task.put("Resources", resources);
    if (!limits.constraints().isEmpty()) {
      // Checked by core before they were stored: plain ATTRIBUTE==VALUE text the swarm parses.
      task.put("Placement", Map.of("Constraints", limits.constraints()));
    }
    task.put("RestartPolicy", Map.of("Condition", "none", "MaxAttempts", 0));
    task.put("Networks", List.of(Map.of("Target", network)));
    // No virtual IP: no load balancer endpoint joins the run's network beside the relay.
    Map<String, Object> endpoint = Map.of("Mode", "dnsrr");
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("Name", name);
    service.put("Labels", labels(spec.labels()));
    service.put("TaskTemplate", task);
    service.put("EndpointSpec", endpoint);
    service.put("Mode", Map.of("ReplicatedJob", Map.of("MaxConcurrent", 1,
        "TotalCompletions", 1)));
    try {
      return JSON.writeValueAsBytes(service);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a service spec", e);
    }
  }

  /** The memory a run's task is limited to: the run's own, else the default. */
  public long memoryBytes(Limits limits) {
    return limits.memoryBytes() > 0 ? limits.memoryBytes() : settings.memoryBytes();
  }

  /**
   * What a run's task reserves on its node: only the CPUs and memory the run asked for, nothing
   * for a run that took the defaults. A reservation makes the swarm place the task on a node that
   * has room for it, which is what a run asking for 4 CPUs wants; the defaults are limits, as on
   * the Docker runtime, and how many runs go at once is RGrid's to say (workers, {@code
   * --parallel}), not the reservations'. Reserving them would also trip an engine bug: up to the
   * fix of moby/moby#52652 (swarmkit #3237), the swarm's constraint enforcer counts the ended
   * tasks of job services against their node's reservations until they are removed, so with runs
   * ending and starting side by side it rejects new tasks ("assigned node no longer meets
   * constraints") that the scheduler had placed.
   */
  public Map<String, Long> reservations(Limits limits) {
    Map<String, Long> reserved = new LinkedHashMap<>();
    if (limits.milliCpus() > 0) {
      reserved.put("NanoCPUs", limits.milliCpus() * 1_000_000L);
    }
    if (limits.memoryBytes() > 0) {
      reserved.put("MemoryBytes", limits.memoryBytes());
    }
    return reserved;
  }

  /** The CPUs (in billionths) a run's task is limited to. */
  public long nanoCpus(Limits limits) {
    return (limits.milliCpus() > 0 ? limits.milliCpus() : settings.milliCpus()) * 1_000_000L;
  }

  /** The labels of a run's service and network: the run's, then RGrid's own. */
  public Map<String, String> labels(Map<String, String> given) {
    Map<String, String> labels = new LinkedHashMap<>(given);
    // Ours last: a run's own labels must not hide a service from the reaper.
    labels.putAll(owner.labels());
    labels.put(RUNTIME, runtime);
    return labels;
  }

  /** The label marking this runtime's runs. */
  public Map<String, String> runtimeLabel() {
    return Map.of(RUNTIME, runtime);
  }

  /**
   * The script's whole argument vector in the task: the runtime's command, the script, its
   * arguments.
   */
  public static List<String> command(ContainerSpec spec) {
    List<String> command = new java.util.ArrayList<>(spec.runtime().command());
    command.add(SCRIPTS + "/" + spec.scriptName());
    command.addAll(spec.args());
    return command;
  }

  /** The script's environment in the task, as the Docker runtime gives it. */
  public static Map<String, String> env(ContainerSpec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LANG", "C.UTF-8");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("HOME", WORK);
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.putAll(spec.env());
    return env;
  }

  /** The bootstrap's interpreter: the runtime's own when it is a Python, else python3. */
  private static String python(ContainerSpec spec) {
    String first = spec.runtime().command().get(0);
    return first.substring(first.lastIndexOf('/') + 1).startsWith("python") ? first : "python3";
  }

  /** {@code uid:gid} ({@code uid} alone means the same number for both). */
  private static String uidGid(String user) {
    return user.contains(":") ? user : user + ":" + user;
  }

  private static Map<String, Object> tmpfs(String target, long bytes) {
    return Map.of("Type", "tmpfs", "Target", target,
        "TmpfsOptions", Map.of("SizeBytes", bytes, "Mode", STICKY_WORLD));
  }
}
