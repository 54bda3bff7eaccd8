package dev.rgrid.server.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the cost, estimate, limits and runtimes routes. Their own records rather
 * than the library's, so that a change in the library never changes the API by accident. Money
 * is integer micros throughout (1 EUR = 1,000,000).
 */
public final class CostJson {
  private CostJson() {}

  /** {@code GET /api/v1/cost}: what the caller's executions cost in a range. */
  public record Report(Instant since, Instant until, String by, List<Line> lines,
      long executions, long totalMicros) {
    static Report of(CostReport r) {
      return new Report(r.since(), r.until(), r.by(), r.lines().stream()
          .map(l -> new Line(l.key(), l.executions(), l.micros())).toList(), r.executions(),
          r.totalMicros());
    }
  }

  /** One group of a cost report. */
  public record Line(String key, long executions, long micros) {}

  /**
   * {@code GET/PUT/DELETE /api/v1/limits}: this month's spending of the caller's account and its
   * monthly limit; the limit's fields are left out when it has none.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Spending(String month, long spentMicros, Long limitMicros,
      List<Integer> thresholds, Long remainingMicros) {
    static Spending of(SpendingStatus s) {
      return new Spending(s.month().toString(), s.spentMicros(),
          s.limit().map(l -> l.limitMicros()).orElse(null),
          s.limit().map(l -> l.thresholdsPercent()).orElse(null),
          s.remainingMicros().orElse(null));
    }
  }

  /** {@code PUT /api/v1/limits}: the limit, and the alert thresholds (default 50, 80, 100). */
  public record LimitRequest(Long limitMicros, List<Integer> thresholds) {}

  /**
   * {@code GET /api/v1/estimate}: what running a script over some inputs would cost; the run
   * time and cost are left out when there is no history to go by.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EstimateView(int inputs, String basis, int samples, Duration medianRunTime,
      long hourlyMicros, Long costMicros, List<String> assumptions) {
    static EstimateView of(Estimate e) {
      return new EstimateView(e.inputs(), e.basis(), e.samples(),
          e.medianRunTime().orElse(null), e.hourlyMicros(), e.costMicros().orElse(null),
          e.assumptions());
    }
  }

  /** {@code GET /api/v1/runtimes}: the runtime catalog, the default runtime first. */
  public record Catalog(String defaultRuntime, List<Runtime> runtimes) {
    static Catalog of(RuntimeCatalog c) {
      Map<String, String> aliases = c.aliases();
      return new Catalog(c.defaultRuntime().name(), c.all().stream()
          .map(r -> Runtime.of(r, aliases)).toList());
    }
  }

  /** One runtime: what scripts ask for by name (or alias) and what runs them. */
  public record Runtime(String name, String image, String suffix, List<String> command,
      List<String> aliases) {
    static Runtime of(RuntimeDefinition r, Map<String, String> aliases) {
      return new Runtime(r.name(), r.image(), r.scriptSuffix(), r.command(),
          aliases.entrySet().stream().filter(a -> a.getValue().equals(r.name()))
              .map(Map.Entry::getKey).sorted().toList());
    }
  }
}
