package dev.rgrid.core.internal.cost;

import java.math.BigInteger;
import java.time.Duration;

/**
 * The cost of one execution on a worker billed by the second of run time.
 *
 * <p>Rounding rule: {@code cost = ceil(runTimeNanos * hourlyMicros / 3,600,000,000,000)}, computed
 * exactly in integers and rounded <em>up</em> to the next whole micro. So a run that took any time
 * at all on a worker with a non-zero price is never free, and the overcharge per execution is
 * always less than one micro (€0.000001). A zero run time or a zero price costs exactly 0.
 */
public final class Costs {
  /** Nanoseconds in one hour, the divisor of the rounding rule. */
  public static final long NANOS_PER_HOUR = 3_600_000_000_000L;

  private static final BigInteger BIG_NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  private Costs() {}

  /**
   * The cost of running for {@code runTime} at {@code hourlyMicros} per hour.
   *
   * @param runTime how long the execution ran; zero or positive
   * @param hourlyMicros the worker's hourly price in micros; zero or positive
   * @return the cost in micros, rounded up to the next whole micro
   * @throws IllegalArgumentException if the run time or the price is negative (a run that
   *     finished before it started is a clock or bookkeeping bug, never a refund)
   * @throws CostException if the cost is above {@link Long#MAX_VALUE} micros
   */
  public static long of(Duration runTime, long hourlyMicros) {
    if (runTime.isNegative()) {
      throw new IllegalArgumentException("run time must not be negative: " + runTime);
    }
    if (hourlyMicros < 0) {
      throw new IllegalArgumentException("hourly price must not be negative: " + hourlyMicros);
    }
    try {
      long nanos;
      try {
        nanos = runTime.toNanos();
      } catch (ArithmeticException beyond292Years) {
        return ofBig(runTime, hourlyMicros);
      }
      return MicrosMath.mulDivCeil(nanos, hourlyMicros, NANOS_PER_HOUR);
    } catch (ArithmeticException e) {
      throw new CostException(
          "the cost of running " + runTime + " at " + Money.format(hourlyMicros)
              + "/h is too large to count",
          "check the run time and the worker's hourly price",
          e);
    }
  }

  private static long ofBig(Duration runTime, long hourlyMicros) {
    BigInteger nanos =
        BigInteger.valueOf(runTime.getSeconds())
            .multiply(BIG_NANOS_PER_SECOND)
            .add(BigInteger.valueOf(runTime.getNano()));
    BigInteger[] qr =
        nanos
            .multiply(BigInteger.valueOf(hourlyMicros))
            .divideAndRemainder(BigInteger.valueOf(NANOS_PER_HOUR));
    BigInteger cost = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return cost.longValueExact();
  }
}
