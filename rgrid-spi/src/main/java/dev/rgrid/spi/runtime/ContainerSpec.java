package dev.rgrid.spi.runtime;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to start. Paths in {@code args} are already those the script sees (see {@link
 * ContainerRuntime#paths}).
 *
 * @param name a unique name (the execution id and attempt)
 * @param runtime the runtime definition
 * @param scriptDir a host directory holding the script, mounted read-only
 * @param scriptName the script's file name inside {@code scriptDir}
 * @param workDir a host directory, the script's working directory and the only writable place
 * @param args the script's arguments
 * @param env environment variables for the script, the values of its secrets among them (so
 *     {@link #toString()} shows their names only, and a runtime never puts them in labels or
 *     messages)
 * @param limits resource limits
 * @param labels labels attached to the container, so leftovers can be found after a crash
 * @param stdin bytes to feed to the script's standard input (the runtime closes it), or {@code
 *     null} for an empty stdin
 */
public record ContainerSpec(String name, RuntimeDefinition runtime, Path scriptDir,
    String scriptName, Path workDir, List<String> args, Map<String, String> env, Limits limits,
    Map<String, String> labels, InputStream stdin) {
  /** Checks the values and copies the collections. */
  public ContainerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(scriptDir, "scriptDir");
    Objects.requireNonNull(scriptName, "scriptName");
    Objects.requireNonNull(workDir, "workDir");
    args = List.copyOf(args);
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
    limits = limits == null ? Limits.DEFAULT : limits;
  }

  /** The spec without the environment's values, which may be secrets. */
  @Override
  public String toString() {
    return "ContainerSpec[name=" + name + ", runtime=" + runtime.name() + ", script=" + scriptName
        + ", args=" + args.size() + ", env=" + new java.util.TreeSet<>(env.keySet()) + ", limits="
        + limits + ", labels=" + labels + "]";
  }
}
