package dev.rgrid.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimitTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final LogLimit limit = new LogLimit(3, now::get);

  @Test
  void letsABurstThroughThenCountsWhatItLeavesOut() {
    assertThat(limit.take("malformed")).isZero();
    assertThat(limit.take("malformed")).isZero();
    assertThat(limit.take("malformed")).isZero();
    for (int i = 0; i < 50; i++) {
      assertThat(limit.take("malformed")).isEqualTo(-1);
    }
    // A minute refills the bucket; the first line after says how many were left out.
    now.addAndGet(TimeUnit.MINUTES.toNanos(1));
    assertThat(limit.take("malformed")).isEqualTo(50);
    assertThat(limit.take("malformed")).isZero();
    assertThat(LogLimit.note(50)).isEqualTo(" (50 more like it left out of the log)");
    assertThat(LogLimit.note(0)).isEmpty();
  }

  @Test
  void refillsAtTheBurstPerMinuteAndKindsDoNotShareABucket() {
    for (int i = 0; i < 3; i++) {
      limit.take("a");
    }
    assertThat(limit.take("a")).isEqualTo(-1);
    assertThat(limit.take("b")).isZero();
    now.addAndGet(TimeUnit.SECONDS.toNanos(20)); // a third of a minute: one line of three
    assertThat(limit.take("a")).isEqualTo(1);
    assertThat(limit.take("a")).isEqualTo(-1);
  }

  @Test
  void refusesALimitThatLetsNothingThrough() {
    assertThatThrownBy(() -> new LogLimit(0, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
