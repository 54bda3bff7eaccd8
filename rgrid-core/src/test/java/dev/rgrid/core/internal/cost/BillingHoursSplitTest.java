package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ExecutionId;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pure largest-remainder split of one hour's price. */
class BillingHoursSplitTest {
  static ExecutionId id(int n) {
    // Ids made at increasing times sort in creation order, as in production; seeding the random
    // part with n makes id(n) the same id every time.
    return ExecutionId.generate(
        Instant.ofEpochMilli(1_800_000_000_000L + n), new SplittableRandom(n));
  }

  private static Map<ExecutionId, Duration> minutes(long... perExecution) {
    Map<ExecutionId, Duration> times = new HashMap<>();
    for (int i = 0; i < perExecution.length; i++) {
      times.put(id(i), Duration.ofMinutes(perExecution[i]));
    }
    return times;
  }

  @Test
  void splitsInProportionToTimeWhenItDividesExactly() {
    Map<ExecutionId, Long> shares = BillingHours.split(100, minutes(15, 45));
    assertThat(shares).containsExactly(Map.entry(id(0), 25L), Map.entry(id(1), 75L));
  }

  @Test
  void givesTheLeftoverMicrosToTheLargestRemainders() {
    // exact shares 1.4, 2.1, 3.5: floors 1, 2, 3 leave 1 micro, which goes to the .5
    assertThat(BillingHours.split(7, minutes(2, 3, 5)).values()).containsExactly(1L, 2L, 4L);
  }

  @Test
  void oneMicroSplitThreeWaysGoesWholeToTheEarliestExecution() {
    Map<ExecutionId, Long> shares = BillingHours.split(1, minutes(20, 20, 20));
    assertThat(shares).containsExactly(
        Map.entry(id(0), 1L), Map.entry(id(1), 0L), Map.entry(id(2), 0L));
    assertThat(shares.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
  }

  @Test
  void tiesAreBrokenByExecutionIdWhateverTheMapOrder() {
    Map<ExecutionId, Duration> times = new java.util.LinkedHashMap<>();
    times.put(id(2), Duration.ofMinutes(20));
    times.put(id(1), Duration.ofMinutes(20));
    times.put(id(0), Duration.ofMinutes(20));
    assertThat(BillingHours.split(10, times).values()).containsExactly(4L, 3L, 3L);
    assertThat(BillingHours.split(10, times).keySet()).containsExactly(id(0), id(1), id(2));
  }

  @Test
  void nobodyToPayMeansAnEmptySplit() {
    assertThat(BillingHours.split(100, Map.of())).isEmpty();
    assertThat(BillingHours.split(100, Map.of(id(0), Duration.ZERO))).isEmpty();
  }

  @Test
  void anExecutionWithNoTimeGetsNothingButIsListed() {
    assertThat(BillingHours.split(5, minutes(0, 10)))
        .containsExactly(Map.entry(id(0), 0L), Map.entry(id(1), 5L));
  }

  @Test
  void theLargestPriceSplitsExactlyWithoutOverflow() {
    Map<ExecutionId, Long> shares = BillingHours.split(Long.MAX_VALUE, minutes(1, 1, 1));
    long sum = 0;
    for (long s : shares.values()) {
      sum = Math.addExact(sum, s);
    }
    assertThat(sum).isEqualTo(Long.MAX_VALUE);
    assertThat(shares.values()).containsExactly(
        Long.MAX_VALUE / 3 + 1, Long.MAX_VALUE / 3, Long.MAX_VALUE / 3);
  }

  @Test
  void tenThousandExecutionsInOneHourSplitExactly() {
    Map<ExecutionId, Duration> times = new HashMap<>();
    SplittableRandom random = new SplittableRandom(3);
    long totalNanos = 0;
    for (int i = 0; i < 10_000; i++) {
      Duration d = Duration.ofNanos(random.nextLong(1, 3_600_000_000_000L));
      times.put(id(i), d);
      totalNanos += d.toNanos();
    }
    long price = 3_217_777; // deliberately not a round number
    Map<ExecutionId, Long> shares = BillingHours.split(price, times);

    assertThat(shares).hasSize(10_000);
    assertThat(shares.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(price);
    // Each share is within one micro of its exact value: |share * total - price * time| < total.
    BigInteger total = BigInteger.valueOf(totalNanos);
    for (Map.Entry<ExecutionId, Long> e : shares.entrySet()) {
      BigInteger error =
          BigInteger.valueOf(e.getValue())
              .multiply(total)
              .subtract(
                  BigInteger.valueOf(price)
                      .multiply(BigInteger.valueOf(times.get(e.getKey()).toNanos())));
      assertThat(error.abs()).isLessThan(total);
    }
  }

  @Test
  void refusesNegativePricesAndTimes() {
    assertThatThrownBy(() -> BillingHours.split(-1, minutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BillingHours.split(1, Map.of(id(0), Duration.ofSeconds(-1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is negative");
  }

  @Test
  void refusesTimesTooLongToAddUp() {
    Map<ExecutionId, Duration> times =
        Map.of(id(0), Duration.ofDays(100_000), id(1), Duration.ofDays(100_000));
    assertThatThrownBy(() -> BillingHours.split(1, times))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("292 years");
  }
}
