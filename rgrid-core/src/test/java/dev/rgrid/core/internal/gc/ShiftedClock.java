package dev.rgrid.core.internal.gc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset the test sets: time still passes, but can be jumped. */
final class ShiftedClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  void shift(Duration by) {
    offset = offset.plus(by);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("tests only use UTC");
  }
}
