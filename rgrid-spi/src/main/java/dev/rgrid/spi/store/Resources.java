package dev.rgrid.spi.store;

/**
 * Resource limits of one execution; 0 means the runtime's default.
 *
 * @param milliCpus CPU share in thousandths of a CPU (1500 = 1.5 CPUs)
 * @param memoryBytes memory limit in bytes
 */
public record Resources(long milliCpus, long memoryBytes) {
  /** The runtime's defaults. */
  public static final Resources DEFAULT = new Resources(0, 0);

  /** Checks the values. */
  public Resources {
    if (milliCpus < 0 || memoryBytes < 0) {
      throw new IllegalArgumentException("resource limits must not be negative, were milliCpus "
          + milliCpus + " and memoryBytes " + memoryBytes);
    }
  }
}
