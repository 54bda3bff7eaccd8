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
 */
public record GcSettings(Duration retention, Duration blobGrace, Duration interval) {
  /** The defaults: 30 days, 1 hour, hourly. */
  public static final GcSettings DEFAULTS =
      new GcSettings(Duration.ofDays(30), Duration.ofHours(1), Duration.ofHours(1));

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
  }
}
