package dev.rgrid.backend.docker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RGrid process that created a container, as written in its labels: the machine, the process
 * id and the instant the process started. A pid alone is not enough, since pids are reused; the
 * start instant tells a reused pid from the original process.
 *
 * @param host where the process runs: the host name and the PID namespace, since a pid means
 *     something only there (containers of other machines, or of RGrid processes in other
 *     containers sharing the engine, are never judged from here)
 * @param pid the process id
 * @param started when the process started, or {@code null} when the platform does not say
 */
public record Owner(String host, long pid, Instant started) {
  /** Marks every container RGrid creates. */
  public static final String MANAGED = "dev.rgrid.managed";
  /** {@code <pid>:<start instant>} of the process that created the container. */
  public static final String OWNER = "dev.rgrid.owner";
  /** Host name and PID namespace of the machine where that process runs. */
  public static final String HOST = "dev.rgrid.host";

  private static final Logger LOG = LoggerFactory.getLogger(Owner.class);
  // Start instants are derived from the boot time, which the kernel recomputes when the clock is
  // stepped; two JVMs may therefore see one process's start a little apart. A pid reused within
  // this window is kept (wrongly thought alive), the safe side.
  private static final Duration SAME_START = Duration.ofSeconds(2);
  private static final Owner CURRENT = new Owner(readHost(), ProcessHandle.current().pid(),
      ProcessHandle.current().info().startInstant().orElse(null));

  /** This JVM. */
  public static Owner current() {
    return CURRENT;
  }

  /** The value of the {@link #OWNER} label. */
  public String label() {
    return pid + ":" + (started == null ? "unknown" : started.toString());
  }

  /** The labels identifying containers of this owner. */
  public Map<String, String> labels() {
    return Map.of(MANAGED, "true", OWNER, label(), HOST, host);
  }

  /** The owner written in a container's labels, when they name one. */
  public static Optional<Owner> of(Map<String, String> labels) {
    String host = labels.get(HOST);
    String owner = labels.get(OWNER);
    if (host == null || owner == null) {
      return Optional.empty();
    }
    int colon = owner.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(owner.substring(0, colon));
      String start = owner.substring(colon + 1);
      return Optional.of(new Owner(host, pid, start.equals("unknown") ? null : Instant.parse(start)));
    } catch (NumberFormatException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether this owner certainly no longer runs: it ran on this machine, and its pid is gone or
   * now belongs to a process that started at another time. Unknown cases count as alive.
   */
  public boolean isGoneFromThisMachine() {
    if (!host.equals(CURRENT.host)) {
      return false;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return true;
    }
    Optional<Instant> actual = handle.get().info().startInstant();
    if (started == null || actual.isEmpty()) {
      return false;
    }
    return Duration.between(started, actual.get()).abs().compareTo(SAME_START) > 0;
  }

  private static String readHost() {
    String name = null;
    try {
      name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8)
          .strip();
    } catch (IOException e) {
      LOG.debug("no /proc/sys/kernel/hostname; using HOSTNAME", e);
    }
    if (name == null || name.isEmpty()) {
      String env = System.getenv("HOSTNAME");
      name = env == null || env.isBlank() ? "localhost" : env.strip();
    }
    try {
      // "pid:[4026531836]": two JVMs in two containers may share a host name and a pid.
      return name + "/" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no /proc/self/ns/pid; identifying this machine by its host name only", e);
      return name;
    }
  }
}
