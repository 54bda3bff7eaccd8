package dev.rgrid.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How long ended executions are kept and how garbage collection runs ({@link RGrid#gc}).
 *
 * @param retention how long an ended execution is kept after it ended ({@code retention.days},
 *     {@code RGRID_RETENTION_DAYS}; default 30 days)
 * @param blobGrace how old an unreferenced blob must be before it is deleted ({@code gc.grace},
 *     {@code RGRID_GC_GRACE}; default 1 hour): a blob stored for a submission that is not yet
 *     recorded is younger than this
 * @param interval how often a server or worker collects on its own ({@code gc.interval}, {@code
 *     RGRID_GC_INTERVAL}; default 1 hour), or {@code null} for never ({@code off})
 * @param environmentsMaxBytes how much space the kept environments (virtualenvs, environment
 *     images) may take before the least recently used ones go ({@code envs.max-bytes}, {@code
 *     RGRID_ENVS_MAX_BYTES}; default 20 GiB), or {@code 0} for no budget ({@code off})
 */
public record GcSettings(Duration retention, Duration blobGrace, Duration interval,
    long environmentsMaxBytes) {
  /** The default budget of kept environments: 20 GiB. */
  public static final long ENVIRONMENTS_MAX_BYTES = 20L << 30;

  /** The defaults: 30 days, 1 hour, hourly, 20 GiB of environments. */
  public static final GcSettings DEFAULTS = new GcSettings(Duration.ofDays(30),
      Duration.ofHours(1), Duration.ofHours(1), ENVIRONMENTS_MAX_BYTES);

  /** Checks the values. */
  public GcSettings {
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(blobGrace, "blobGrace");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
    }
    if (blobGrace.isNegative()) {
      throw new IllegalArgumentException("blob grace must not be negative, was " + blobGrace);
    }
    if (interval != null && (interval.isNegative() || interval.isZero())) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    if (environmentsMaxBytes < 0) {
      throw new IllegalArgumentException("environments budget must not be negative, was "
          + environmentsMaxBytes);
    }
  }

  /** Settings with the default budget of kept environments. */
  public GcSettings(Duration retention, Duration blobGrace, Duration interval) {
    this(retention, blobGrace, interval, ENVIRONMENTS_MAX_BYTES);
  }
}
