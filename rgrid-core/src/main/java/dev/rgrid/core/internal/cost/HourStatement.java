package dev.rgrid.core.internal.cost;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How one closed billing hour of a worker billed per started hour was paid for: either split over
 * the executions that ran in it, or, when none did, wholly idle.
 *
 * @param index which hour of the worker's billing period, from 0
 * @param start the first instant of the hour
 * @param end the first instant after the hour
 * @param priceMicros the price of the hour
 * @param shares each execution that ran in the hour and its share in micros, sorted by id; a share
 *     can be 0 when the price is smaller than the number of executions
 * @param idleMicros the part of the price attributed to no execution: the whole price when nothing
 *     ran, otherwise 0; {@code sum(shares) + idleMicros == priceMicros} always
 */
public record HourStatement(
    long index,
    Instant start,
    Instant end,
    long priceMicros,
    Map<ExecutionId, Long> shares,
    long idleMicros) {

  /** Copies the shares and checks that they and the idle cost add up to the price exactly. */
  public HourStatement {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!start.isBefore(end)) {
      throw new IllegalArgumentException("hour must end after it starts: " + start + ", " + end);
    }
    shares = Collections.unmodifiableMap(new TreeMap<>(shares));
    long sum = idleMicros;
    for (long share : shares.values()) {
      if (share < 0) {
        throw new IllegalArgumentException("negative share in hour " + index + ": " + share);
      }
      sum = Math.addExact(sum, share);
    }
    if (idleMicros < 0 || sum != priceMicros) {
      throw new IllegalArgumentException(
          "hour " + index + " shares and idle cost add up to " + sum + ", not " + priceMicros);
    }
  }

  /** True when no execution ran in this hour, so its whole price was idle cost. */
  public boolean idle() {
    return shares.isEmpty();
  }
}
