package dev.rgrid.server.internal;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.server.internal.CostJson.LimitRequest;
import dev.rgrid.spi.account.AccountId;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/v1/cost}, {@code /api/v1/estimate}, {@code /api/v1/limits} and {@code
 * /api/v1/runtimes}, each scoped to the caller's account: its costs, estimates from its own
 * history, and its own monthly spending limit (the global limit is the server administrator's,
 * set on the server's machine). The handlers that read the store block and run on a worker
 * thread.
 */
public final class CostRoutes {
  private final LocalRGrid rgrid;

  /** The routes over {@code rgrid}, the instance the server wraps. */
  public CostRoutes(LocalRGrid rgrid) {
    this.rgrid = rgrid;
  }

  /** GET the cost report: {@code since}, {@code until} (as {@code rgrid cost}), {@code by}. */
  public void report(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    String by = Params.single(ctx, "by");
    if (by == null) {
      by = "total";
    } else if (!CostReport.GROUPINGS.contains(by)) {
      throw ApiException.badRequest("cannot group costs by '" + ExecutionRoutes.shown(by)
          + "'", "use one of " + String.join(", ", CostReport.GROUPINGS));
    }
    CostReport report = rgrid.account(account).costs(Params.single(ctx, "since"),
        Params.single(ctx, "until"), by);
    Json.send(ctx, 200, CostJson.Report.of(report));
  }

  /** GET an estimate: {@code sha256} and {@code script} (its name), {@code runtime}, {@code inputs}. */
  public void estimate(RoutingContext ctx) {
    // The values are the library's to check (AccountView.estimate); only the number is read here.
    int inputs = (int) Params.integer(ctx, "inputs", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    Json.send(ctx, 200, CostJson.EstimateView.of(rgrid.account(Auth.account(ctx)).estimate(
        Params.single(ctx, "sha256"), Params.single(ctx, "script"), Params.single(ctx, "runtime"),
        inputs)));
  }

  /** GET this month's spending and the account's limit. */
  public void limits(RoutingContext ctx) {
    Json.send(ctx, 200, CostJson.Spending.of(rgrid.account(Auth.account(ctx)).spending()));
  }

  /** PUT the account's limit; answers with the new status. */
  public void setLimit(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    LimitRequest q = Json.read(ctx, LimitRequest.class);
    if (q.limitMicros() == null) {
      throw ApiException.badRequest("limitMicros is required: the monthly limit in micros "
          + "(1 EUR = 1000000)", "to remove the limit, DELETE /api/v1/limits");
    }
    if (q.limitMicros() < 0) {
      throw ApiException.badRequest("limitMicros cannot be negative, was " + q.limitMicros(),
          "0 refuses every new run; DELETE /api/v1/limits removes the limit");
    }
    if (q.thresholds() != null && q.thresholds().contains(null)) {
      throw ApiException.badRequest("thresholds cannot hold null",
          "give ascending percentages from 1 to 100, e.g. [50, 80, 100]");
    }
    // The library checks the thresholds (ascending percentages); its refusal is a 400.
    rgrid.account(account).setSpendingLimit(q.limitMicros(), q.thresholds());
    limits(ctx);
  }

  /** DELETE the account's limit; answers with the new status. */
  public void removeLimit(RoutingContext ctx) {
    rgrid.account(Auth.account(ctx)).setSpendingLimit(null, null);
    limits(ctx);
  }

  /** GET the runtime catalog (the same for every account). */
  public void runtimes(RoutingContext ctx) {
    Json.send(ctx, 200, CostJson.Catalog.of(rgrid.runtimes()));
  }
}
