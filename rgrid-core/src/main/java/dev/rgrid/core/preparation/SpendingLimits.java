package dev.rgrid.core.preparation;

import dev.rgrid.spi.store.LimitSetting;
import java.util.List;

/**
 * A monthly spending limit as a caller asks for it, completed as every RGrid completes it: without
 * thresholds it warns at the {@link #DEFAULT_THRESHOLDS}.
 */
public final class SpendingLimits {
  /** The warnings of a limit set without thresholds: at 50%, 80% and 100% of the limit. */
  public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);

  private SpendingLimits() {}

  /**
   * The limit of {@code limitMicros} a month warning at {@code thresholds} percent of it ({@code
   * null} or empty: the {@link #DEFAULT_THRESHOLDS}).
   *
   * @throws IllegalArgumentException for a negative limit or thresholds that are not ascending
   *     percentages from 1 to 100
   */
  public static LimitSetting setting(long limitMicros, List<Integer> thresholds) {
    return new LimitSetting(limitMicros, thresholds == null || thresholds.isEmpty()
        ? DEFAULT_THRESHOLDS : thresholds);
  }
}
