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
    Duration maxTimeout) {

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
  }

  /**
   * 5,000 output files and 2 GiB of outputs per run; 16 MiB of stored log lines of at most 64 KiB;
   * 64 MiB of exact stdout and of stderr; 10,000 input files; 10 MiB scripts; timeout 1 hour by
   * default, 7 days at most.
   */
  public static Limits defaults() {
    return new Limits(5_000, 2L << 30, 16L << 20, 64 << 10, 64L << 20, 10_000, 10L << 20,
        Duration.ofHours(1), Duration.ofDays(7));
  }

  /** A copy with other output limits. */
  public Limits withOutputs(int files, long bytes) {
    return new Limits(files, bytes, maxLogBytes, maxLineBytes, maxRawOutputBytes, maxInputFiles,
        maxScriptBytes, defaultTimeout, maxTimeout);
  }

  /** A copy with other log limits. */
  public Limits withLogs(long logBytes, int lineBytes, long rawBytes) {
    return new Limits(maxOutputFiles, maxOutputBytes, logBytes, lineBytes, rawBytes,
        maxInputFiles, maxScriptBytes, defaultTimeout, maxTimeout);
  }

  /** A copy with another default timeout. */
  public Limits withDefaultTimeout(Duration timeout) {
    return new Limits(maxOutputFiles, maxOutputBytes, maxLogBytes, maxLineBytes,
        maxRawOutputBytes, maxInputFiles, maxScriptBytes, timeout, maxTimeout);
  }
}
