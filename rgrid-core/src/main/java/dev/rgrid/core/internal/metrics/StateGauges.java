package dev.rgrid.core.internal.metrics;

import dev.rgrid.spi.queue.ExecutionQueue;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The gauges read from shared state at each scrape: the queue and this month's spending. They
 * describe the whole deployment, not this instance, so every instance over the same state reports
 * the same values (dashboards take their {@code max}, never their sum).
 */
public final class StateGauges {
  private StateGauges() {}

  /**
   * Registers the queue depth by state ({@code waiting}: not claimed; {@code unowned}: held by no
   * live worker), the live workers and this month's spending, read from {@code queue} and {@code
   * spentThisMonth}.
   */
  public static void register(EngineMetrics metrics, ExecutionQueue queue, LongSupplier
      spentThisMonth, Clock clock) {
    metrics.gauge("queue.depth", "Queue entries by state: waiting (not claimed) and unowned (held "
        + "by no live worker)", queue::depth, "state", "waiting");
    metrics.gauge("queue.depth", "Queue entries by state: waiting (not claimed) and unowned (held "
        + "by no live worker)", () -> queue.unowned(clock.instant()), "state", "unowned");
    metrics.gauge("workers.alive", "Workers whose heartbeat has not lapsed",
        () -> queue.liveWorkers(clock.instant()).size());
    metrics.gauge("spending.month.micros", "What this month's executions cost, in micros "
        + "(1 EUR = 1,000,000), across accounts", spentThisMonth::getAsLong);
  }
}
