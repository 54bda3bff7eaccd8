package dev.rgrid.client.internal;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.core.preparation.SpendingLimits;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.LimitSetting;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The account's costs, estimates and spending limit ({@code /api/v1/cost}, {@code estimate},
 * {@code limits}) and the server's runtime catalog ({@code /api/v1/runtimes}) as library values.
 * Arguments the library refuses with {@link IllegalArgumentException} are refused here the same
 * way, before anything is sent, so a caller sees a remote RGrid behave as a local one.
 */
public final class Accounting {
  private final Http http;
  private volatile RuntimeCatalog catalog;

  /** The calls, sent through {@code http}. */
  public Accounting(Http http) {
    this.http = http;
  }

  /** See {@code RGrid.costs(Instant, Instant, String)}. */
  public CostReport costs(Instant since, Instant until, String by) {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    checkGrouping(by);
    if (!since.isBefore(until)) {
      throw new IllegalArgumentException("the range is empty: since " + since + " is not "
          + "before until " + until);
    }
    // Instant.toString is an ISO date-time in UTC, one of the forms the server reads.
    return costs(since.toString(), until.toString(), by);
  }

  /** See {@code RGrid.costs(String, String, String)}: the server reads the range. */
  public CostReport costs(String since, String until, String by) {
    checkGrouping(by);
    HttpUrl.Builder url = http.url("cost");
    if (since != null && !since.isBlank()) {
      url.addQueryParameter("since", since);
    }
    if (until != null && !until.isBlank()) {
      url.addQueryParameter("until", until);
    }
    url.addQueryParameter("by", by);
    Wire.CostReport r = get(url.build(), Wire.CostReport.class);
    try {
      return new CostReport(r.since(), r.until(), r.by(), r.lines().stream()
          .map(l -> new CostReport.Line(l.key(), l.executions(), l.micros())).toList(),
          r.executions(), r.totalMicros());
    } catch (RuntimeException e) {
      throw unreadable("cost report", e);
    }
  }

  /**
   * See {@code RGrid.estimate}: the script is read and the inputs counted here; the server
   * answers from the account's history.
   */
  public Estimate estimate(Path script, String runtime, List<String> globs, Path base) {
    EstimateSubject subject = EstimateSubject.read(script, globs, base);
    HttpUrl.Builder url = http.url("estimate")
        .addQueryParameter("sha256", subject.sha256())
        .addQueryParameter("script", subject.scriptName())
        .addQueryParameter("inputs", Integer.toString(subject.inputs()));
    if (runtime != null && !runtime.isBlank()) {
      url.addQueryParameter("runtime", runtime);
    }
    Wire.Estimate e = get(url.build(), Wire.Estimate.class);
    try {
      return new Estimate(e.inputs(), e.basis(), e.samples(),
          Optional.ofNullable(e.medianRunTime()), e.hourlyMicros(),
          Optional.ofNullable(e.costMicros()), e.assumptions());
    } catch (RuntimeException x) {
      throw unreadable("estimate", x);
    }
  }

  /** The account's spending this month and its own limit. */
  public SpendingStatus spending() {
    return status(get(http.url("limits").build(), Wire.Spending.class));
  }

  /**
   * Sets the account's own limit ({@code null}: removes it). Checked here first, as the
   * library checks it, so that misuse is an {@link IllegalArgumentException} either way.
   */
  public void setSpendingLimit(Long limitMicros, List<Integer> thresholds) {
    HttpUrl url = http.url("limits").build();
    if (limitMicros == null) {
      send(http.request(url).delete().build());
      return;
    }
    LimitSetting limit = SpendingLimits.setting(limitMicros, thresholds); // throws for misuse
    // PUT is idempotent: retrying it after a lost answer sets the same limit.
    send(http.request(url).put(RequestBody.create(Wire.write(new Wire.LimitRequest(
        limit.limitMicros(), limit.thresholdsPercent())), Http.JSON_TYPE)).build());
  }

  /**
   * The server's runtime catalog, asked once per connection: it changes only when the server is
   * reconfigured, and callers ask for it repeatedly (the CLI once per line it prints).
   */
  public RuntimeCatalog runtimes() {
    RuntimeCatalog known = catalog;
    if (known != null) {
      return known;
    }
    Wire.Catalog c = get(http.url("runtimes").build(), Wire.Catalog.class);
    try {
      List<RuntimeDefinition> runtimes = new ArrayList<>();
      Map<String, String> aliases = new LinkedHashMap<>();
      for (Wire.Runtime r : c.runtimes()) {
        RuntimeDefinition def = new RuntimeDefinition(r.name(), r.image(), r.command(),
            List.of(), r.suffix());
        // The catalog's first runtime is its default.
        runtimes.add(r.name().equals(c.defaultRuntime()) ? 0 : runtimes.size(), def);
        r.aliases().forEach(a -> aliases.put(a, r.name()));
      }
      if (runtimes.isEmpty() || !runtimes.get(0).name().equals(c.defaultRuntime())) {
        throw new IllegalArgumentException("the default runtime " + c.defaultRuntime()
            + " is not in the catalog");
      }
      known = new RuntimeCatalog(runtimes, aliases);
    } catch (RuntimeException e) {
      throw unreadable("runtime catalog", e);
    }
    catalog = known;
    return known;
  }

  /** As the library: an unknown grouping is misuse, not a malformed range. */
  private static void checkGrouping(String by) {
    if (!CostReport.GROUPINGS.contains(Objects.requireNonNull(by, "by"))) {
      throw new IllegalArgumentException("cannot group costs by '" + by + "': use one of "
          + String.join(", ", CostReport.GROUPINGS));
    }
  }

  private SpendingStatus status(Wire.Spending s) {
    try {
      Optional<LimitSetting> limit = s.limitMicros() == null ? Optional.empty()
          : Optional.of(new LimitSetting(s.limitMicros(), s.thresholds()));
      return new SpendingStatus(limit, YearMonth.parse(s.month()), s.spentMicros());
    } catch (RuntimeException e) { // DateTimeException among them
      throw unreadable("spending status", e);
    }
  }

  private <T> T get(HttpUrl url, Class<T> type) {
    Request request = http.request(url).get().build();
    return http.send(request, code -> false, r -> Wire.read(r, type, http.server()));
  }

  private void send(Request request) {
    http.send(request, code -> false, r -> null);
  }

  /** A server answer that cannot be the library's value: the server's fault, said so. */
  private RGridException unreadable(String what, RuntimeException cause) {
    return new RGridException("the RGrid server at " + http.server() + " answered a " + what
        + " that is not valid: " + cause.getMessage(),
        "check that RGRID_URL points at an RGrid server and that versions match", null, cause);
  }
}
