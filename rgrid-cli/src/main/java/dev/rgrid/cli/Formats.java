package dev.rgrid.cli;

import dev.rgrid.spi.store.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/** How the CLI shows times, durations, statuses and labels. */
final class Formats {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Formats() {}

  static String time(Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = d.toSeconds();
    return s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }

  static String status(Terminal t, ExecutionStatus s) {
    return switch (s) {
      case SUCCEEDED -> t.green(s.name());
      case FAILED, TIMED_OUT, SKIPPED -> t.red(s.name());
      case RUNNING, QUEUED, WAITING -> t.yellow(s.name());
      default -> s.name();
    };
  }

  static String labels(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k)
        .append('=').append(v));
    return sb.toString();
  }
}
