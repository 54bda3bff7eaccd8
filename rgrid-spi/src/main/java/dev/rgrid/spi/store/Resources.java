package dev.rgrid.spi.store;

import java.util.List;
import java.util.Objects;

/**
 * What one execution needs of the machine it runs on: CPU and memory (0 means the runtime's
 * default), and, for runtimes that place runs on a cluster's nodes, which nodes may take it.
 *
 * @param milliCpus CPU share in thousandths of a CPU (1500 = 1.5 CPUs)
 * @param memoryBytes memory limit in bytes
 * @param constraints placement constraints in Docker Swarm's form ({@code node.labels.gpu==true},
 *     {@code node.role!=manager}), all of which the chosen node must meet (empty: any node);
 *     a runtime that does not place runs refuses a run that has any, rather than ignore them
 */
public record Resources(long milliCpus, long memoryBytes, List<String> constraints) {
  /** The runtime's defaults. */
  public static final Resources DEFAULT = new Resources(0, 0);

  /** CPU and memory, any node. */
  public Resources(long milliCpus, long memoryBytes) {
    this(milliCpus, memoryBytes, List.of());
  }

  /** Checks the values and copies the constraints ({@code null}: none). */
  public Resources {
    if (milliCpus < 0 || memoryBytes < 0) {
      throw new IllegalArgumentException("resource limits must not be negative, were milliCpus "
          + milliCpus + " and memoryBytes " + memoryBytes);
    }
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
  }

  /** These resources with the placement constraints {@code values}. */
  public Resources withConstraints(List<String> values) {
    return new Resources(milliCpus, memoryBytes, Objects.requireNonNull(values, "values"));
  }
}
