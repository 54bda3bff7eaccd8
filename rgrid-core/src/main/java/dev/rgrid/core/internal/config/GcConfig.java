package dev.rgrid.core.internal.config;

import dev.rgrid.core.GcSettings;
import dev.rgrid.core.InvalidRunSpecException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retention and garbage collection settings from the environment, else from {@code
 * config.properties}: {@code RGRID_RETENTION_DAYS} / {@code retention.days}, {@code RGRID_GC_GRACE}
 * / {@code gc.grace}, {@code RGRID_GC_INTERVAL} / {@code gc.interval} ({@code off} to never
 * collect on a schedule).
 */
public final class GcConfig {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([smhd])");
  private static final int MAX_DAYS = 36_500;

  private GcConfig() {}

  /**
   * The settings of {@code env}, else of {@code props} (the keys of {@code file}).
   *
   * @throws InvalidRunSpecException naming the setting that is not usable
   */
  public static GcSettings load(Map<String, String> env, Properties props, Path file) {
    GcSettings d = GcSettings.DEFAULTS;
    String days = pick(env, "RGRID_RETENTION_DAYS", props, "retention.days");
    String grace = pick(env, "RGRID_GC_GRACE", props, "gc.grace");
    String interval = pick(env, "RGRID_GC_INTERVAL", props, "gc.interval");
    Duration retention = days == null ? d.retention() : Duration.ofDays(days(days, file));
    Duration blobGrace = grace == null ? d.blobGrace()
        : duration(grace, "RGRID_GC_GRACE (gc.grace)", file);
    Duration every = interval == null ? d.interval()
        : interval.equalsIgnoreCase("off") ? null
        : duration(interval, "RGRID_GC_INTERVAL (gc.interval)", file);
    if (every != null && every.isZero()) {
      throw invalid("RGRID_GC_INTERVAL (gc.interval)", interval, file, "a positive duration"
          + " such as 1h, or off");
    }
    return new GcSettings(retention, blobGrace, every);
  }

  private static long days(String text, Path file) {
    try {
      long n = Long.parseLong(text);
      if (n >= 1 && n <= MAX_DAYS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw invalid("RGRID_RETENTION_DAYS (retention.days)", text, file,
        "a whole number of days from 1 to " + MAX_DAYS + ", e.g. 30");
  }

  /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 2d}; a single unit, at most six digits. */
  private static Duration duration(String text, String name, Path file) {
    Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw invalid(name, text, file, "a duration such as 90m, 12h or 2d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static InvalidRunSpecException invalid(String name, String value, Path file,
      String wanted) {
    String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
    return new InvalidRunSpecException(name + " must be " + wanted + ", was '"
        + shown.replaceAll("\\p{Cntrl}", "?") + "'", "fix the variable or the key in " + file);
  }

  private static String pick(Map<String, String> env, String variable, Properties props,
      String key) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      value = props.getProperty(key);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
