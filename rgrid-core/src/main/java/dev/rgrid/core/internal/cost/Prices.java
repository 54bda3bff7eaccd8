package dev.rgrid.core.internal.cost;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/** The price of this machine, and what a run on it costs. */
public final class Prices {
  /** The key saying this machine is billed per started hour (see {@code HourlyBilling}). */
  public static final String PER_STARTED_HOUR = "price.local.per-started-hour";

  private Prices() {}

  /**
   * {@code price.local} of {@code props} (money, e.g. {@code 0.12} or {@code €0.12}; the keys of
   * {@code file}), else 0.
   *
   * @throws InvalidRunSpecException when the price cannot be read
   */
  public static long local(Properties props, Path file) {
    Properties prices = new Properties();
    props.stringPropertyNames().forEach(k -> prices.setProperty(k, props.getProperty(k)));
    prices.remove(PER_STARTED_HOUR); // how the price is billed, not a price
    try {
      return PriceTable.fromProperties(prices).hourlyMicros(PriceTable.LOCAL);
    } catch (CostException e) {
      throw new InvalidRunSpecException(file + ": " + e.getMessage(), e.hint().orElse(null));
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(file + ": " + e.getMessage(), "fix or remove the file");
    }
  }

  /**
   * {@code next} (the record after an attempt ended) with the cost of that attempt added, when
   * {@code worker} ran it: its run time, from the attempt's start to the end just recorded, at
   * {@code hourlyMicros}.
   */
  public static ExecutionRecord costed(ExecutionRecord before, ExecutionRecord next, WorkerId worker,
      long hourlyMicros) {
    if (before.status() != ExecutionStatus.RUNNING || !worker.equals(before.workerId())) {
      return next;
    }
    long attempt = of(before.startedAt(), next.finishedAt() != null ? next.finishedAt()
        : next.transitions().get(next.transitions().size() - 1).at(), hourlyMicros);
    return next.toBuilder().costMicros(Math.addExact(before.costMicros(), attempt)).build();
  }

  /** The cost of a run from {@code started} to {@code finished} at {@code hourlyMicros}. */
  static long of(Instant started, Instant finished, long hourlyMicros) {
    if (started == null || finished == null || finished.isBefore(started)) {
      return 0;
    }
    return Costs.of(java.time.Duration.between(started, finished), hourlyMicros);
  }
}
