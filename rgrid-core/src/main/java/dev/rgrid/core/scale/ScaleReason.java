package dev.rgrid.core.scale;

import java.util.Locale;

/** Why the autoscaler chose the replicas it chose: the {@code reason} tag of its decisions. */
public enum ScaleReason {
  /** More machines at once: the backlog would wait longer than the target, or waits did. */
  UP_FOR_BACKLOG,
  /** More machines at once: fewer than the policy's minimum ran. */
  UP_TO_MIN,
  /** Fewer machines at once: more than the policy's maximum ran. */
  DOWN_TO_MAX,
  /** As many machines as needed: nothing to change. */
  STEADY,
  /** Surplus machines kept: none is in the last minutes of its billed hour yet. */
  HOLD_PAID_HOUR,
  /** Surplus machines stopped at the end of their billed hour. */
  DOWN_AT_HOUR_END,
  /** Surplus machines stopped at once (the policy that does not wait for the hour's end). */
  DOWN_AT_ONCE;

  /** The metric tag and log word: {@code up_for_backlog}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
