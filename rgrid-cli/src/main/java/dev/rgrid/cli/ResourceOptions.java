package dev.rgrid.cli;

import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.Resources;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code rgrid run}'s options on what a run may use and where it may go: {@code --cpus}, {@code
 * --memory} (limits on isolating runtimes, reservations on a swarm) and {@code --constraint}
 * (placement on a cluster's nodes). Checked by the library with the rest of the spec.
 */
final class ResourceOptions {
  @Option(names = "--cpus", paramLabel = "N", description = "CPU limit (isolating runtimes).")
  String cpus;

  @Option(names = "--memory", paramLabel = "SIZE",
      description = "Memory limit, e.g. 512m (isolating runtimes).")
  String memory;

  @Option(names = "--constraint", paramLabel = "ATTR==VALUE", description = "Placement "
      + "constraint for runtimes that place runs on a cluster's nodes (swarm), repeatable: "
      + "node.labels.KEY, engine.labels.KEY, node.role, node.hostname, node.id, "
      + "node.platform.os, node.platform.arch with == or !=.")
  List<String> constraints = new ArrayList<>();

  /** Adds the resources asked for to {@code builder}; none asked leaves the defaults. */
  void apply(RunSpec.Builder builder) {
    if (cpus != null || memory != null || !constraints.isEmpty()) {
      builder.resources(new Resources(cpus == null ? 0 : Parsing.milliCpus(cpus),
          memory == null ? 0 : Parsing.size(memory), constraints));
    }
  }
}
