package dev.rgrid.server.internal;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.BatchListing;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FedBatch;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.server.internal.BatchJson.CreateRequest;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ParentLink;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /api/v1/batches}: create, list, get (with progress), cancel, retry and remove while
 * empty, each scoped to the
 * caller's account. A batch of another account is "not found", exactly like one that does not
 * exist. The client expands a batch's inputs itself and submits each as an execution naming the
 * batch; listing them is {@code GET /api/v1/executions?batch=ID}. A batch fed by another's runs
 * ({@code itemsFrom}) has its runs worked out by the library, from the store, and the client
 * submits those the answer lists; one fanned out from a run not ended expands later, and the
 * client submits its one template run. Every handler here blocks.
 */
public final class BatchRoutes {
  /**
   * Batch idempotency keys share the store with execution ones, under this prefix. Its space
   * cannot occur in a key a client sends (visible ASCII only), so the two never collide.
   */
  private static final String KEY_PREFIX = "batch ";

  private final LocalRGrid rgrid;
  private final Idempotency idempotency;

  /**
   * Routes over {@code rgrid}; an idempotency key names what it created for {@code
   * idempotencyWindow} by {@code clock}.
   */
  public BatchRoutes(LocalRGrid rgrid, AccountStore accounts, Clock clock,
      Duration idempotencyWindow) {
    this.rgrid = rgrid;
    this.idempotency = new Idempotency(accounts, clock, idempotencyWindow);
  }

  /** POST: 201 with the new batch, or 200 with the one an idempotency key made. */
  public void create(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    AccountView view = rgrid.account(account);
    CreateRequest request = Json.read(ctx, CreateRequest.class);
    String key = ExecutionRoutes.idempotencyKey(ctx);
    ParentLink source = FedSources.link(request.itemsFrom());
    if (request.scriptName() == null || request.parallel() == null
        || (request.size() == null) != (source != null)) {
      throw ApiException.badRequest(source == null ? "scriptName, size and parallel are required"
          : "scriptName and parallel are required, and size is left out: the runs of "
              + "itemsFrom make it", "send {\"scriptName\": \"job.py\", \"size\": 10, "
              + "\"parallel\": 4}, or {\"scriptName\": \"job.py\", \"parallel\": 4, "
              + "\"itemsFrom\": {\"batch\": \"batch_…\", \"glob\": \"out.csv\"}}");
    }
    Map<String, String> labels = ExecutionRoutes.userLabels(request.labels());
    if (source != null) {
      createFed(ctx, view, request, key, labels, source);
      return;
    }
    Idempotency.Outcome<BatchRecord> out = idempotency.once(account,
        key == null ? null : KEY_PREFIX + key,
        () -> view.createBatch(request.scriptName(), request.runtime(), request.size(),
            request.parallel(), labels),
        made -> asExecutionId(made.id()),
        earlier -> view.resubmittedBatch(asBatchId(earlier), request.scriptName(),
            request.runtime(), request.size(), request.parallel(), labels)
            .orElseThrow(() -> ExecutionRoutes.idempotencyMismatch("batch "
                + asBatchId(earlier))),
        // Ours has no execution yet: it goes, rather than stay counting its inputs as queued.
        ours -> view.removeEmptyBatch(ours.id()));
    created(ctx, out.created(), out.value());
    Json.send(ctx, out.created() ? 201 : 200, BatchJson.View.of(out.value(),
        view.batchProgress(out.value().id())));
  }

  /**
   * A batch fed by other runs: the library works its runs out from the store before it stores
   * anything (a source that cannot feed a batch leaves nothing), or stores it to expand later
   * when the source is a run not ended; the answer lists the runs, or says it expands later.
   */
  private void createFed(RoutingContext ctx, AccountView view, CreateRequest request, String key,
      Map<String, String> labels, ParentLink source) {
    Idempotency.Outcome<FedBatch> out = idempotency.once(view.account(),
        key == null ? null : KEY_PREFIX + key,
        () -> view.createFedBatch(request.scriptName(), request.runtime(), request.parallel(),
            labels, source),
        made -> asExecutionId(made.record().id()),
        earlier -> view.resubmittedFedBatch(asBatchId(earlier), request.scriptName(),
            request.runtime(), request.parallel(), labels, source)
            .orElseThrow(() -> ExecutionRoutes.idempotencyMismatch("batch "
                + asBatchId(earlier))),
        // Ours has no execution yet: it goes, rather than stay counting its inputs as queued.
        ours -> view.removeEmptyBatch(ours.record().id()));
    BatchRecord batch = out.value().record();
    created(ctx, out.created(), batch);
    Json.send(ctx, out.created() ? 201 : 200, BatchJson.View.of(batch,
        view.batchProgress(batch.id()), out.value()));
  }

  private static void created(RoutingContext ctx, boolean created, BatchRecord batch) {
    if (created) {
      ctx.response().putHeader("Location", "/api/v1/batches/" + batch.id());
    }
  }

  /**
   * GET the account's batches, newest first, each with its progress: {@code limit} (1 to 1000,
   * default 50) of them, older than {@code before} when given; {@code next} is the cursor of the
   * following page, null on the last.
   */
  public void list(RoutingContext ctx) {
    AccountView view = rgrid.account(Auth.account(ctx));
    String before = Params.single(ctx, "before");
    if (before != null && !BatchId.isBatchId(before)) {
      throw ApiException.badRequest("'before' must be a batch id (batch_…), was '"
          + ExecutionRoutes.shown(before) + "'", "pass the 'next' of the previous page");
    }
    int limit = (int) Params.integer(ctx, "limit", 50, 1, 1000);
    List<BatchListing> batches = view.batches(before == null ? null : BatchId.of(before), limit);
    Json.send(ctx, 200, new BatchJson.Page(batches.stream()
        .map(b -> BatchJson.View.of(b.batch(), b.progress())).toList(),
        batches.size() < limit ? null : batches.get(batches.size() - 1).batch().id().value()));
  }

  /** GET one, with its progress. */
  public void get(RoutingContext ctx) {
    AccountView view = rgrid.account(Auth.account(ctx));
    BatchId id = batchId(ctx.pathParam("id"));
    Json.send(ctx, 200, BatchJson.View.of(view.batchRecord(id), view.batchProgress(id)));
  }

  /**
   * GET outputs.zip: every output of the batch's ended executions (each input's latest) as one
   * zip, streamed, entries named {@code <input folder>/<output path>} as {@code rgrid download
   * BATCH_ID} lays them out.
   */
  public void outputsZip(RoutingContext ctx) {
    AccountView view = rgrid.account(Auth.account(ctx));
    BatchId id = batchId(ctx.pathParam("id"));
    ZipStreams.send(ctx, rgrid.blobStore(), view.batchOutputs(id),
        id.value() + "-outputs.zip");
  }

  /**
   * DELETE: the batch, while no run of it is stored (204); 409 once one is. A client takes back
   * a batch it created when its first run is refused, so that the batch does not stay behind
   * counting every input as queued.
   */
  public void remove(RoutingContext ctx) {
    rgrid.account(Auth.account(ctx)).removeEmptyBatch(batchId(ctx.pathParam("id")));
    ctx.response().setStatusCode(204).end();
  }

  /** POST cancel: every unfinished execution of the batch; how many. */
  public void cancel(RoutingContext ctx) {
    Json.send(ctx, 200, new BatchJson.Cancelled(rgrid.account(Auth.account(ctx))
        .cancelBatch(batchId(ctx.pathParam("id")))));
  }

  /**
   * POST retry: every failed or timed-out execution of the batch without a retry, and the
   * cancelled ones unless {@code failedOnly=true}; the new executions.
   */
  public void retry(RoutingContext ctx) {
    BatchId batch = batchId(ctx.pathParam("id"));
    AccountView view = rgrid.account(Auth.account(ctx));
    view.batchRecord(batch); // an unknown batch is a 404 before a malformed parameter is a 400
    String failedOnly = Params.single(ctx, "failedOnly");
    if (failedOnly != null && !failedOnly.equals("true") && !failedOnly.equals("false")) {
      throw ApiException.badRequest("'failedOnly' must be true or false, was '"
          + ExecutionRoutes.shown(failedOnly) + "'", null);
    }
    List<Execution> retried = view.retryBatch(batch, "true".equals(failedOnly));
    Json.send(ctx, 200, new BatchJson.Retried(retried.stream()
        .map(e -> ExecutionJson.View.of(e.record())).toList()));
  }

  /** The batch id in a request; 404 for a malformed one, as for a batch that is not there. */
  static BatchId batchId(String id) {
    if (!BatchId.isBatchId(id)) {
      throw ApiException.notFound("batch '" + ExecutionRoutes.shown(String.valueOf(id)) + "'");
    }
    return BatchId.of(id);
  }

  /**
   * A batch id as the idempotency store keeps it, which holds execution ids: a batch id is an
   * execution id's time-ordered body under another prefix, so the mapping is one to one.
   */
  private static ExecutionId asExecutionId(BatchId id) {
    return ExecutionId.of("exec_" + id.value().substring("batch_".length()));
  }

  private static BatchId asBatchId(ExecutionId id) {
    return BatchId.of("batch_" + Objects.requireNonNull(id).value().substring("exec_".length()));
  }
}
