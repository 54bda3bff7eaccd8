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
 * collect on a schedule), {@code RGRID_ENVS_MAX_BYTES} / {@code envs.max-bytes} (a size such as
 * {@code 20G} or {@code 500M}, binary units; {@code off} or {@code 0} for no budget).
 */
public final class GcConfig {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([smhd])");
  private static final int MAX_DAYS = 36_500;
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})([kmgt]?)(i?b)?");
  private static final String ENVS = "RGRID_ENVS_MAX_BYTES (envs.max-bytes)";

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
    String envs = pick(env, "RGRID_ENVS_MAX_BYTES", props, "envs.max-bytes");
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
    long envsMax = envs == null ? d.environmentsMaxBytes()
        : envs.equalsIgnoreCase("off") ? 0 : size(envs, file);
    return new GcSettings(retention, blobGrace, every, envsMax);
  }

  /** {@code 500M}, {@code 20G}, {@code 1T}, {@code 20GiB}, plain bytes; 1K = 1024 bytes. */
  static long size(String text, Path file) {
    Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      int shift = switch (m.group(2)) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        case "t" -> 40;
        default -> 0;
      };
      long n = Long.parseLong(m.group(1));
      if (n <= Long.MAX_VALUE >> shift && (m.group(3) == null || !m.group(2).isEmpty()
          || m.group(3).equals("b"))) {
        return n << shift;
      }
    }
    throw invalid(ENVS, text, file, "a size such as 20G or 500M, or off");
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
