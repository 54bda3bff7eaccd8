package dev.rgrid.core.internal.cost;

import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Estimates from history: the median run time of past successful runs of the same script
 * (same content), else of the same runtime, times the number of inputs, at this machine's price.
 */
public final class Estimates {
  // Enough history for a stable median, bounded so an estimate stays quick on a large store.
  private static final int MAX_SCANNED = 20_000;
  private static final int MAX_SAMPLES = 1_000;
  private static final int PAGE = 1000;

  private final MetadataStore store;
  private final RuntimeCatalog catalog;
  private final long hourlyMicros;

  /**
   * Estimates from the history in {@code store}, resolving runtimes in {@code catalog}, priced
   * at {@code hourlyMicros} an hour of a worker.
   */
  public Estimates(MetadataStore store, RuntimeCatalog catalog, long hourlyMicros) {
    this.store = store;
    this.catalog = catalog;
    this.hourlyMicros = hourlyMicros;
  }

  /**
   * The estimate for {@code script} on {@code runtime} (null: from its suffix) over the inputs
   * {@code globs} match in {@code baseDirectory} (none: one run).
   *
   * @throws InvalidRunSpecException for a missing script, an unknown runtime or a glob that
   *     matches nothing
   */
  public Estimate estimate(Path script, String runtime, List<String> globs, Path baseDirectory) {
    return estimate(EstimateSubject.read(script, globs, baseDirectory), runtime, null);
  }

  /**
   * The estimate for {@code subject} on {@code runtime} (null: from its suffix), from the past
   * runs of {@code account} only (null: from every past run).
   *
   * @throws InvalidRunSpecException for an unknown runtime
   */
  public Estimate estimate(EstimateSubject subject, String runtime, AccountId account) {
    return estimate(subject, runtime, account, false);
  }

  /**
   * As {@link #estimate(EstimateSubject, String, AccountId)}, from past runs of the same script
   * content only: without any, the estimate has no cost. For refusing work ahead of a spending
   * limit, where the run times of other scripts on the same runtime are too loose a guess.
   *
   * @throws InvalidRunSpecException for an unknown runtime
   */
  public Estimate ofSameScript(EstimateSubject subject, String runtime, AccountId account) {
    return estimate(subject, runtime, account, true);
  }

  private Estimate estimate(EstimateSubject subject, String runtime, AccountId account,
      boolean sameScriptOnly) {
    RuntimeDefinition def = runtime == null || runtime.isBlank()
        ? catalog.forScript(subject.scriptName())
        : catalog.resolve(runtime);
    String name = subject.scriptName();
    int inputs = subject.inputs();
    List<Duration> sameScript = new ArrayList<>();
    List<Duration> sameRuntime = new ArrayList<>();
    collect(subject.sha256(), def.name(), account, sameScript, sameRuntime);
    if (sameScriptOnly) {
      sameRuntime.clear();
    }
    List<Duration> used = sameScript.isEmpty() ? sameRuntime : sameScript;
    String basis = !sameScript.isEmpty()
        ? sameScript.size() + " past run" + (sameScript.size() == 1 ? "" : "s") + " of " + name
        : !sameRuntime.isEmpty()
            ? "no past run of " + name + "; " + sameRuntime.size()
                + " past run" + (sameRuntime.size() == 1 ? "" : "s") + " on " + def.name()
            : "no past run of " + name + " or on " + def.name();
    long price = hourlyMicros;
    List<String> assumptions = new ArrayList<>();
    assumptions.add("each input takes the median run time of " + (sameScript.isEmpty()
        ? "past runs on " + def.name() : "past runs of this script (same content)")
        + (account == null ? "" : " of this account"));
    assumptions.add((account == null ? "this machine's" : "the server's") + " price: "
        + CostReport.format(price) + " an hour");
    assumptions.add("no input is served from the result cache (cache hits cost nothing)");
    if (used.isEmpty()) {
      assumptions.add("without any past run there is no run time to go by: run it once");
      return new Estimate(inputs, basis, 0, Optional.empty(), price, Optional.empty(),
          assumptions);
    }
    Duration median = median(used);
    long each = Costs.of(median, price);
    return new Estimate(inputs, basis, used.size(), Optional.of(median), price,
        Optional.of(Math.multiplyExact(each, (long) inputs)), assumptions);
  }

  private void collect(String sha, String runtime, AccountId account, List<Duration> sameScript,
      List<Duration> sameRuntime) {
    // An account's estimate rests on its own history only: others' run times are theirs.
    Map<String, String> labels = account == null ? Map.of()
        : Map.of(AccountId.LABEL, account.value());
    ExecutionId cursor = null;
    int scanned = 0;
    do {
      ExecutionPage page = store.list(new ExecutionQuery(Set.of(ExecutionStatus.SUCCEEDED),
          labels, null, cursor, PAGE));
      for (ExecutionRecord r : page.items()) {
        scanned++;
        Optional<Duration> d = r.duration();
        if (r.cached() || d.isEmpty()) {
          continue;
        }
        if (r.spec().script().sha256().equals(sha) && sameScript.size() < MAX_SAMPLES) {
          sameScript.add(d.get());
        } else if (r.spec().runtime().equals(runtime) && sameRuntime.size() < MAX_SAMPLES) {
          sameRuntime.add(d.get());
        }
      }
      cursor = page.next();
    } while (cursor != null && scanned < MAX_SCANNED && sameScript.size() < MAX_SAMPLES);
  }

  private static Duration median(List<Duration> values) {
    List<Duration> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2)
        : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }
}
