package dev.rgrid.core.internal.cost;

import java.util.Objects;

/**
 * What an RGrid answers about money: the spending limit it enforces, estimates from history and
 * reports of what ran.
 *
 * @param spending the monthly spending limits and their alerts
 * @param estimates what a run would cost, from the history of past runs
 * @param reports what the executions that ran cost
 */
public record CostServices(Spending spending, Estimates estimates, CostReports reports) {
  /** Checks that none is missing. */
  public CostServices {
    Objects.requireNonNull(spending, "spending");
    Objects.requireNonNull(estimates, "estimates");
    Objects.requireNonNull(reports, "reports");
  }
}
