package dev.rgrid.core;

import java.time.Duration;

/**
 * The limits RGrid applies to every execution it runs. {@link #defaults()} gives sensible values;
 * derive changed copies with the {@code with…} methods.
 *
 * @param maxOutputFiles most output files collected from one run; more fail the run
 * @param maxOutputBytes most bytes of output files collected from one run; more fail the run
 * @param maxLogBytes most bytes of log lines stored per execution; the rest is dropped after a
 *     truncation marker
 * @param maxLineBytes longest stored log line; longer lines are split into several
 * @param maxRawOutputBytes most exact stdout (and, separately, stderr) bytes kept per execution
 * @param maxInputFiles most input files (directories counted file by file) per execution
 * @param maxScriptBytes largest accepted script
 * @param defaultTimeout the timeout of runs that do not set one
 * @param maxTimeout the longest timeout a run may ask for
 * @param maxMilliCpus the most CPUs (in thousandths) a run may ask for; an instance that runs
 *     work itself also refuses more than its runtime has (the machine's or Docker engine's CPUs),
 *     while a server that leaves the work to remote workers, whose size it does not know, uses
 *     this ceiling alone
 * @param maxMemoryBytes the most memory a run may ask for
 */
public record Limits(
    int maxOutputFiles,
    long maxOutputBytes,
    long maxLogBytes,
    int maxLineBytes,
    long maxRawOutputBytes,
    int maxInputFiles,
    long maxScriptBytes,
    Duration defaultTimeout,
    Duration maxTimeout,
    long maxMilliCpus,
    long maxMemoryBytes) {
  /** The fewest CPUs (in thousandths) a run may ask for: engines refuse less than 0.01. */
  public static final long MIN_MILLI_CPUS = 10;
  /** The least memory a run may ask for: engines refuse less than 6 MiB. */
  public static final long MIN_MEMORY_BYTES = 6L << 20;

  /** Checks the values. */
  public Limits {
    if (maxOutputFiles < 1 || maxOutputBytes < 1 || maxLogBytes < 1 || maxLineBytes < 64
        || maxRawOutputBytes < 0 || maxInputFiles < 1 || maxScriptBytes < 1) {
      throw new IllegalArgumentException("limits must be positive (maxLineBytes at least 64)");
    }
    if (defaultTimeout.compareTo(maxTimeout) > 0 || defaultTimeout.isNegative()
        || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("defaultTimeout must be positive and at most maxTimeout");
    }
    if (maxMilliCpus < MIN_MILLI_CPUS || maxMemoryBytes < MIN_MEMORY_BYTES) {
      throw new IllegalArgumentException("maxMilliCpus must be at least " + MIN_MILLI_CPUS
          + " and maxMemoryBytes at least " + MIN_MEMORY_BYTES);
    }
  }

  /**
   * 5,000 output files and 2 GiB of outputs per run; 16 MiB of stored log lines of at most 64 KiB;
   * 64 MiB of exact stdout and of stderr; 10,000 input files; 10 MiB scripts; timeout 1 hour by
   * default, 7 days at most; at most 256 CPUs (fewer when the runtime here has fewer) and 1 TiB
   * of memory per run.
   */
  public static Limits defaults() {
    return new Limits(5_000, 2L << 30, 16L << 20, 64 << 10, 64L << 20, 10_000, 10L << 20,
        Duration.ofHours(1), Duration.ofDays(7), 256_000, 1L << 40);
  }

  /** A copy with other output limits. */
  public Limits withOutputs(int files, long bytes) {
    return new Limits(files, bytes, maxLogBytes, maxLineBytes, maxRawOutputBytes, maxInputFiles,
        maxScriptBytes, defaultTimeout, maxTimeout, maxMilliCpus, maxMemoryBytes);
  }

  /** A copy with other log limits. */
  public Limits withLogs(long logBytes, int lineBytes, long rawBytes) {
    return new Limits(maxOutputFiles, maxOutputBytes, logBytes, lineBytes, rawBytes,
        maxInputFiles, maxScriptBytes, defaultTimeout, maxTimeout, maxMilliCpus, maxMemoryBytes);
  }

  /** A copy with another default timeout. */
  public Limits withDefaultTimeout(Duration timeout) {
    return new Limits(maxOutputFiles, maxOutputBytes, maxLogBytes, maxLineBytes,
        maxRawOutputBytes, maxInputFiles, maxScriptBytes, timeout, maxTimeout, maxMilliCpus,
        maxMemoryBytes);
  }

  /**
   * A copy with other ceilings on what one run may ask for: {@code milliCpus} thousandths of a
   * CPU (e.g. the size of the largest worker a server's runs go to) and {@code memoryBytes}.
   */
  public Limits withResources(long milliCpus, long memoryBytes) {
    return new Limits(maxOutputFiles, maxOutputBytes, maxLogBytes, maxLineBytes,
        maxRawOutputBytes, maxInputFiles, maxScriptBytes, defaultTimeout, maxTimeout, milliCpus,
        memoryBytes);
  }
}
