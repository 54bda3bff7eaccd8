package dev.rgrid.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the wall time of one CLI command goes, printed to stderr when {@code RGRID_TIMINGS} is set:
 * the JVM's start (process start to {@code main}), then each named phase.
 */
final class Timings {
  private final boolean enabled;
  private final Map<String, Long> phases = new LinkedHashMap<>();
  private final long jvmStartMillis;
  private long last = System.nanoTime();

  /** Timings asked for by {@code RGRID_TIMINGS} in {@code invocation}'s environment. */
  Timings(Invocation invocation) {
    this.enabled = invocation.env("RGRID_TIMINGS") != null;
    // scripts/rgrid passes the time it exec'd the JVM; the process start time the OS reports is
    // too coarse (its boot-time base has a one-second resolution).
    String launched = invocation.env("RGRID_LAUNCH_NS");
    long jvm = -1;
    if (enabled && launched != null && launched.matches("\\d{1,19}")) {
      Instant at = Instant.ofEpochSecond(0, Long.parseLong(launched));
      jvm = Duration.between(at, Instant.now()).toMillis();
    }
    this.jvmStartMillis = jvm;
  }

  void mark(String phase) {
    long now = System.nanoTime();
    phases.put(phase, now - last);
    last = now;
  }

  void print(Terminal terminal) {
    if (!enabled) {
      return;
    }
    StringBuilder sb = new StringBuilder("timings: jvm " + jvmStartMillis + " ms");
    phases.forEach((k, v) -> sb.append(", ").append(k).append(' ')
        .append(String.format(Locale.ROOT, "%.1f", v / 1e6)).append(" ms"));
    terminal.err.println(sb);
  }
}
