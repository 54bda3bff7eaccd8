package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CostsTest {
  private static final long EURO = 1_000_000;

  @Test
  void oneHourCostsExactlyTheHourlyPrice() {
    assertThat(Costs.of(Duration.ofHours(1), 85_000)).isEqualTo(85_000);
    assertThat(Costs.of(Duration.ofHours(3), 85_000)).isEqualTo(255_000);
  }

  @Test
  void isBilledPerSecondOfRunTime() {
    // €3.60/h is exactly 1000 micros a second.
    assertThat(Costs.of(Duration.ofSeconds(1), 3_600_000)).isEqualTo(1_000);
    assertThat(Costs.of(Duration.ofSeconds(90), 3_600_000)).isEqualTo(90_000);
  }

  @Test
  void roundsUpToTheNextWholeMicro() {
    // 1.5 s at 3600 micros/h = 1.5 micros, billed as 2.
    assertThat(Costs.of(Duration.ofMillis(1500), 3_600)).isEqualTo(2);
    // exactly 1 micro is not rounded further
    assertThat(Costs.of(Duration.ofSeconds(1), 3_600)).isEqualTo(1);
  }

  @Test
  void aNonZeroRunAtANonZeroPriceIsNeverFree() {
    assertThat(Costs.of(Duration.ofNanos(1), 1)).isEqualTo(1);
  }

  @Test
  void zeroTimeOrZeroPriceCostsNothing() {
    assertThat(Costs.of(Duration.ZERO, 1_000_000 * EURO)).isZero();
    assertThat(Costs.of(Duration.ofDays(7), 0)).isZero();
  }

  @Test
  void aWeekAtAMillionEurosAnHourDoesNotOverflow() {
    long price = 1_000_000 * EURO;
    assertThat(Costs.of(Duration.ofDays(7), price)).isEqualTo(168 * price);
    assertThat(Costs.of(Duration.ofDays(7).minusNanos(1), price)).isEqualTo(168 * price);
    assertThat(Costs.of(Duration.ofDays(7).plusNanos(1), price)).isEqualTo(168 * price + 1);
  }

  @Test
  void durationsBeyondWhatNanosecondsInALongHoldAreStillExact() {
    Duration longest = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    assertThat(Costs.of(longest, 1)).isEqualTo(reference(longest, 1));
  }

  @Test
  void aCostAboveTheLargestLongIsAClearError() {
    assertThatThrownBy(() -> Costs.of(Duration.ofDays(1_000_000), Long.MAX_VALUE))
        .isInstanceOf(CostException.class)
        .hasMessageContaining("is too large to count");
    assertThatThrownBy(() -> Costs.of(Duration.ofSeconds(Long.MAX_VALUE), Long.MAX_VALUE))
        .isInstanceOf(CostException.class);
  }

  @Test
  void agreesWithExactArithmeticOnRandomInputs() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      Duration d = Duration.ofNanos(random.nextLong(0, Duration.ofDays(7).toNanos() + 1));
      long price = random.nextLong(0, 1_000_000 * EURO + 1);
      assertThat(Costs.of(d, price)).as("%s at %d", d, price).isEqualTo(reference(d, price));
    }
  }

  @Test
  void refusesNegativeRunTimesAndPrices() {
    assertThatThrownBy(() -> Costs.of(Duration.ofSeconds(-1), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run time must not be negative");
    assertThatThrownBy(() -> Costs.of(Duration.ofSeconds(1), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hourly price must not be negative");
  }

  private static long reference(Duration d, long price) {
    BigInteger nanos =
        BigInteger.valueOf(d.getSeconds())
            .multiply(BigInteger.valueOf(1_000_000_000))
            .add(BigInteger.valueOf(d.getNano()));
    BigInteger[] qr =
        nanos.multiply(BigInteger.valueOf(price)).divideAndRemainder(BigInteger.valueOf(3_600_000_000_000L));
    return qr[1].signum() == 0 ? qr[0].longValueExact() : qr[0].longValueExact() + 1;
  }
}
