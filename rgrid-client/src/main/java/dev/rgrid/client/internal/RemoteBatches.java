package dev.rgrid.client.internal;

import dev.rgrid.core.BatchListing;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.FedRun;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ParentLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The batch routes of the API ({@code /api/v1/batches…}) as library values. A batch's
 * executions are submitted and listed through {@link Executions}.
 */
public final class RemoteBatches {
  /** The largest page the server lists. */
  private static final int PAGE = 1000;

  private final Http http;
  private final Records records;
  private final Executions executions;

  public RemoteBatches(Http http, Executions executions) {
    this.http = http;
    this.records = new Records(http.server());
    this.executions = executions;
  }

  /** A batch and where it stands, as read in one answer. */
  public record State(BatchRecord record, BatchProgress progress) {}

  /** Creates an empty batch (the server checks it and the spending limit); its record. */
  public BatchRecord create(String scriptName, String runtime, int size, int parallel,
      Map<String, String> labels) {
    String body = Wire.write(new Wire.BatchCreate(scriptName,
        runtime == null || runtime.isBlank() ? null : runtime, size, parallel, labels, null));
    return records.batch(http.send(http.post(http.url("batches").build(), body), code -> false,
        r -> read(r, Wire.Batch.class)));
  }

  /**
   * A fed batch as created, and its runs to submit into it, in the order of its inputs; none
   * when it expands later (fanned out from a run that has not ended): then its one template run
   * is submitted into it.
   */
  public record Fed(BatchRecord record, List<FedRun> runs, boolean expandsLater) {}

  /**
   * Creates a batch fed from {@code source} (a batch's runs or a run's outputs, see {@link
   * dev.rgrid.core.BatchSpec#itemsFrom()}): the server works out its runs from what it stores
   * and checks the source (another account's is unknown) before it stores anything, or stores
   * it to expand later when the source is a run that has not ended.
   */
  public Fed createFed(String scriptName, String runtime, int parallel,
      Map<String, String> labels, ParentLink source) {
    String body = Wire.write(new Wire.BatchCreate(scriptName,
        runtime == null || runtime.isBlank() ? null : runtime, null, parallel, labels,
        new Wire.ItemsFrom(source.batch() == null ? null : source.batch().value(),
            source.parent() == null ? null : source.parent().value(), source.glob())));
    Wire.Batch b = http.send(http.post(http.url("batches").build(), body), code -> false,
        r -> read(r, Wire.Batch.class));
    List<FedRun> runs = new ArrayList<>();
    for (Wire.FedRun r : b.runs() == null ? List.<Wire.FedRun>of() : b.runs()) {
      runs.add(new FedRun(ParentLink.item(ExecutionId.of(r.execution()), r.glob()), r.input(),
          r.folder()));
    }
    boolean later = Boolean.TRUE.equals(b.expandsLater());
    if (runs.size() != b.size() || (later && !runs.isEmpty())) {
      throw new RGridException("the server answered batch " + b.id() + " of " + b.size()
          + " runs with " + runs.size() + " to submit", "check that RGRID_URL points at an "
          + "RGrid server and that versions match");
    }
    return new Fed(records.batch(b), runs, later);
  }

  /** The batch and its progress; {@link dev.rgrid.spi.NotFoundException} when there is none. */
  public State get(BatchId id) {
    Request request = http.request(http.url("batches/" + id.value()).build()).get().build();
    Wire.Batch b = http.send(request, code -> false, r -> read(r, Wire.Batch.class));
    return new State(records.batch(b), records.progress(b));
  }

  /**
   * The account's batches, newest first, with their progress: at most {@code limit}, those
   * older than {@code before} when it is not null.
   */
  public List<BatchListing> list(BatchId before, int limit) {
    if (limit < 1 || limit > PAGE) {
      throw new IllegalArgumentException("limit must be between 1 and " + PAGE + ", was "
          + limit);
    }
    HttpUrl.Builder url = http.url("batches").addQueryParameter("limit", Integer.toString(limit));
    if (before != null) {
      url.addQueryParameter("before", before.value());
    }
    Wire.BatchPage page = http.send(http.request(url.build()).get().build(), code -> false,
        r -> read(r, Wire.BatchPage.class));
    return page.items() == null ? List.of() : page.items().stream()
        .map(b -> new BatchListing(records.batch(b), records.progress(b))).toList();
  }

  /**
   * Removes the batch while no run of it is stored (after its first run was refused); false when
   * the server kept it because one is.
   */
  public boolean removeEmpty(BatchId id) {
    Request request = http.request(http.url("batches/" + id.value()).build()).delete().build();
    return http.send(request, code -> code == 409, r -> r.code() != 409);
  }

  /** Cancels what has not ended in the batch; how many. */
  public int cancel(BatchId id) {
    Request request = http.post(http.url("batches/" + id.value() + "/cancel").build(), "{}");
    return http.send(request, code -> false, r -> read(r, Wire.BatchCancelled.class))
        .cancelled();
  }

  /** Retries the batch's unsuccessful executions; the new ones. */
  public List<ExecutionRecord> retry(BatchId id, boolean failedOnly) {
    Request request = http.post(http.url("batches/" + id.value() + "/retry")
        .addQueryParameter("failedOnly", Boolean.toString(failedOnly)).build(), "{}");
    Wire.BatchRetried retried = http.send(request, code -> false,
        r -> read(r, Wire.BatchRetried.class));
    return retried.executions() == null ? List.of()
        : retried.executions().stream().map(records::record).toList();
  }

  /** Every execution of the batch in {@code statuses} (every status when empty), page by page. */
  public List<ExecutionRecord> executions(BatchId id, Set<ExecutionStatus> statuses) {
    List<ExecutionRecord> out = new ArrayList<>();
    ExecutionId before = null;
    while (true) {
      ExecutionPage page = executions.list(new ExecutionQuery(statuses, Map.of(), id.value(),
          before, PAGE));
      out.addAll(page.items());
      if (page.next() == null || page.items().isEmpty()) {
        return out;
      }
      before = page.next();
    }
  }

  private <T> T read(Response r, Class<T> type) throws java.io.IOException {
    return Wire.read(r, type, http.server());
  }
}
