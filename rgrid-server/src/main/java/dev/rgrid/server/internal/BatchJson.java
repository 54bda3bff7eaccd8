package dev.rgrid.server.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.spi.store.BatchRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of the batch routes. Their own records rather than the library's, so that a
 * change in the library never changes the API by accident.
 */
public final class BatchJson {
  private BatchJson() {}

  /**
   * {@code POST /api/v1/batches}: a batch whose inputs the client expands and then submits one
   * by one ({@code POST /api/v1/executions} with its {@code batchId}).
   *
   * @param scriptName the script's file name (no directory)
   * @param runtime a runtime of the catalog; null: chosen by the script's suffix
   * @param size how many inputs it has
   * @param parallel the most of its executions running at once
   * @param labels free labels; keys starting with {@code rgrid.} are reserved
   * @param itemsFrom what feeds the batch, one run per item, instead of inputs the client
   *     expands: then {@code size} is left out, and the answer lists the {@code runs} to submit,
   *     or says the batch {@code expandsLater} (a run that has not ended: the client submits
   *     the batch's one template run)
   */
  public record CreateRequest(String scriptName, String runtime, Integer size, Integer parallel,
      Map<String, String> labels, ItemsFrom itemsFrom) {}

  /**
   * A batch's feeding source ({@code rgrid run --batch-from ID:GLOB}): exactly one of {@code
   * batch} (each input's latest run feeds one run, N to N) and {@code execution} (an ended run,
   * each matching output feeds one, fan-out), and the glob of the one output each run takes.
   */
  public record ItemsFrom(String batch, String execution, String glob) {}

  /**
   * One run of a fed batch, for the client to submit into it ({@code POST /api/v1/executions}
   * with the batch's id, {@code parents: [{"execution": execution, "glob": glob, "item": true}]}
   * and the label {@code rgrid.item} set to {@code folder}).
   *
   * @param execution the parent run
   * @param glob the parent run's one output taken: the feeding glob, or the exact path of one
   *     output of an ended run
   * @param input what the run is shown as (the parent run's input, or the output it takes)
   * @param folder the folder its outputs go to
   */
  public record FedRun(String execution, String glob, String input, String folder) {
    static FedRun of(dev.rgrid.core.FedRun r) {
      return new FedRun(r.link().parent().value(), r.link().glob(), r.input(), r.folder());
    }
  }

  /** Where a batch stands: counts per status, cost so far, time since it began, the ETA. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Progress(int total, int queued, int running, int succeeded, int failed,
      int cancelled, int cached, long costMicros, Duration elapsed, Duration eta) {
    static Progress of(BatchProgress p) {
      return new Progress(p.total(), p.queued(), p.running(), p.succeeded(), p.failed(),
          p.cancelled(), p.cached(), p.costMicros(), p.elapsed(), p.eta().orElse(null));
    }
  }

  /**
   * A batch as the API shows it, without the labels RGrid sets itself; {@code runs} and {@code
   * expandsLater} only in the answer to the creation of a fed batch: {@code expandsLater} true
   * (and no runs) when it fans out from a run that has not ended, whose end makes its runs.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record View(String id, Instant createdAt, String script, String runtime, int size,
      int parallel, Map<String, String> labels, Progress progress, List<FedRun> runs,
      Boolean expandsLater) {
    static View of(BatchRecord b, BatchProgress p) {
      return of(b, p, null);
    }

    static View of(BatchRecord b, BatchProgress p, dev.rgrid.core.FedBatch fed) {
      Map<String, String> labels = new TreeMap<>(b.labels());
      labels.keySet().removeIf(k -> !ExecutionJson.shownLabel(k)); // the server's
      return new View(b.id().value(), b.createdAt(), b.scriptName(), b.runtime(), b.size(),
          b.parallel(), labels, Progress.of(p),
          fed == null ? null : fed.runs().stream().map(FedRun::of).toList(),
          fed == null ? null : fed.expandsLater());
    }
  }

  /**
   * {@code GET /api/v1/batches}: a page of batches, newest first, and the {@code before} cursor
   * of the next page (null on the last).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Page(List<View> items, String next) {}

  /** {@code POST /api/v1/batches/{id}/cancel}: how many unfinished executions were cancelled. */
  public record Cancelled(int cancelled) {}

  /** {@code POST /api/v1/batches/{id}/retry}: the executions it started, oldest input first. */
  public record Retried(List<ExecutionJson.View> executions) {}
}
