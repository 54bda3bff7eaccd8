package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The locked-down container configuration of one script: read-only root file system, {@code
 * /work} (the working directory) the only writable mount, a small {@code /tmp} in memory, a
 * non-root user, no capabilities, no privilege escalation, process, memory and CPU limits, no
 * network unless asked, and labels that let leftovers be found after a crash.
 */
public final class ContainerRecipe {
  /** Where the working directory is mounted. */
  public static final String WORK = "/work";
  /** Where the script directory is mounted, read-only. */
  public static final String SCRIPTS = "/rgrid";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_NAME = 100;
  /**
   * The most output the engine keeps of a container (its {@code local} log driver; past it the
   * file starts over): enough to read back what a run wrote after its RGrid process died.
   */
  private static final String LOG_BYTES = "10m";

  private final DockerSettings settings;
  private final RunAs runAs;
  private final Owner owner;

  /** Containers with the defaults of {@code settings}, run as {@code runAs}, owned by {@code owner}. */
  public ContainerRecipe(DockerSettings settings, RunAs runAs, Owner owner) {
    this.settings = settings;
    this.runAs = runAs;
    this.owner = owner;
  }

  /**
   * The create command for {@code spec}, named {@code name} (see {@link #name}), its directories
   * given as real host paths. The argument vector is passed as it is: no shell ever sees it.
   */
  public CreateContainerCmd create(DockerClient client, ContainerSpec spec, String name,
      Path workDir, Path scriptDir) {
    return create(client, spec, name, workDir, scriptDir, null);
  }

  /**
   * As {@link #create(DockerClient, ContainerSpec, String, Path, Path)}, a run without network
   * joining the empty network namespace of {@code holder} (see {@link NetworkHolders}) when not
   * null.
   */
  public CreateContainerCmd create(DockerClient client, ContainerSpec spec, String name,
      Path workDir, Path scriptDir, String holder) {
    List<String> command = spec.runtime().command();
    List<String> cmd = new ArrayList<>(command.subList(1, command.size()));
    cmd.add(SCRIPTS + "/" + spec.scriptName());
    cmd.addAll(spec.args());
    boolean stdin = spec.stdin() != null;
    return client.createContainerCmd(spec.runtime().image())
        .withName(name)
        // The interpreter is the entrypoint, so an ENTRYPOINT baked into an image cannot wrap it.
        .withEntrypoint(List.of(command.get(0)))
        .withCmd(cmd)
        .withWorkingDir(WORK)
        .withEnv(env(spec.env()))
        .withUser(runAs.user())
        .withLabels(labels(spec.labels()))
        .withTty(false)
        .withAttachStdout(true)
        .withAttachStderr(true)
        // Stdin is attached only when there is something to feed; otherwise it is /dev/null and
        // the script reads end-of-file at once. StdinOnce makes the engine close the script's
        // stdin when the fed bytes end.
        .withAttachStdin(stdin)
        .withStdinOpen(stdin)
        .withStdInOnce(stdin)
        .withHostConfig(hostConfig(spec.limits(), workDir, scriptDir)
            .withNetworkMode(holder != null && !spec.limits().network() ? "container:" + holder
                : spec.limits().network() ? "bridge" : "none"));
  }

  /**
   * The create command of a warm container of {@code image}: started ahead with the default
   * limits and no network, its {@code /work} and {@code /rgrid} on the given directories, it
   * waits in {@link WarmLaunch#SCRIPT} for the launch lines on its stdin.
   */
  public CreateContainerCmd createWarm(DockerClient client, String image, String name,
      Path workDir, Path scriptDir) {
    List<String> cmd = new ArrayList<>(List.of("-c", WarmLaunch.SCRIPT, "rgrid-launch"));
    return client.createContainerCmd(image)
        .withName(name)
        .withEntrypoint(List.of("/bin/sh"))
        .withCmd(cmd)
        .withWorkingDir(WORK)
        .withEnv(env(Map.of()))
        .withUser(runAs.user())
        .withLabels(labels(Map.of(WarmPool.LABEL, "true")))
        .withTty(false)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withAttachStdin(true)
        .withStdinOpen(true)
        .withStdInOnce(true)
        .withHostConfig(hostConfig(Limits.DEFAULT, workDir, scriptDir));
  }

  private HostConfig hostConfig(Limits limits, Path workDir, Path scriptDir) {
    long memory = limits.memoryBytes() > 0 ? limits.memoryBytes() : settings.memoryBytes();
    long milliCpus = limits.milliCpus() > 0 ? limits.milliCpus() : settings.milliCpus();
    long pids = limits.pids() > 0 ? limits.pids() : settings.pidsLimit();
    return HostConfig.newHostConfig()
        .withMounts(List.of(
            new Mount().withType(MountType.BIND).withSource(workDir.toString()).withTarget(WORK)
                .withReadOnly(false),
            new Mount().withType(MountType.BIND).withSource(scriptDir.toString())
                .withTarget(SCRIPTS).withReadOnly(true)))
        .withReadonlyRootfs(true)
        .withTmpFs(Map.of("/tmp", "rw,noexec,nosuid,nodev,mode=1777,size=" + settings.tmpBytes()))
        // /dev/shm stays (multiprocessing needs it), in memory and no larger than /tmp.
        .withShmSize(settings.tmpBytes())
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withPidsLimit(pids)
        // Swap equal to memory means no swap at all: a hog is killed instead of thrashing.
        .withMemory(memory)
        .withMemorySwap(memory)
        .withNanoCPUs(milliCpus * 1_000_000L)
        .withNetworkMode(limits.network() ? "bridge" : "none")
        // A tiny init as pid 1 reaps orphans (whose zombies would count against the pids limit)
        // and gives the script normal signal handling; when the script exits, init exits with
        // its code and the kernel ends every process left in the container.
        .withInit(true)
        // Output is streamed through attach. The engine keeps a bounded copy too (one file of
        // LOG_BYTES, dropped with the container), so what a run writes after the RGrid process
        // reading it died can be read back before its leftover container is removed.
        .withLogConfig(new LogConfig(LogConfig.LoggingType.LOCAL,
            Map.of("max-size", LOG_BYTES, "max-file", "1", "compress", "false")));
  }

  private static List<String> env(Map<String, String> given) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LANG", "C.UTF-8");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("HOME", WORK);
    env.putAll(given);
    List<String> out = new ArrayList<>(env.size());
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  private Map<String, String> labels(Map<String, String> given) {
    Map<String, String> labels = new LinkedHashMap<>(given);
    // Ours last: a run's own labels must not hide a container from the reaper.
    labels.putAll(owner.labels());
    return labels;
  }

  /** A valid, unique container name that still shows which run it belongs to. */
  public static String name(String specName) {
    String safe = specName.replaceAll("[^A-Za-z0-9_.-]", "-");
    if (safe.length() > MAX_NAME) {
      safe = safe.substring(0, MAX_NAME);
    }
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    return "rgrid-" + safe + "-" + HexFormat.of().formatHex(suffix);
  }
}
