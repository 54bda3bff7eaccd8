package dev.rgrid.client.internal;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FedRun;
import dev.rgrid.core.FollowedExecution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.preparation.BatchInputs;
import dev.rgrid.core.preparation.RunPreparation;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits runs and batches to a server as the embedded engine submits them: each run prepared
 * here (script and inputs uploaded when the server lacks them), then created on the server. A
 * batch's inputs are expanded and given their output folders here, the batch is created on the
 * server, then each input is submitted as an execution of the batch; a batch fed by other runs
 * has its runs worked out by the server instead (or, fanned out from a run not ended, its one
 * template run submitted, and its runs made later by a worker). Each batch submission
 * carries an idempotency key made of the batch id and the input's index, so a request repeated
 * after a lost answer never makes a second execution.
 */
public final class Submissions {
  private static final Logger LOG = LoggerFactory.getLogger(Submissions.class);

  private final RemoteBatches batches;
  private final Executions executions;
  private final BlobStore blobs;
  private final RuntimeCatalog catalog;
  private final Limits limits;
  private final RemoteSecrets secrets;

  /**
   * Submits through {@code executions} and {@code batches}, uploading to {@code blobs}; the
   * secrets a run names are looked up in {@code secrets} first.
   */
  public Submissions(RemoteBatches batches, Executions executions, BlobStore blobs,
      RuntimeCatalog catalog, Limits limits, RemoteSecrets secrets) {
    this.secrets = secrets;
    this.batches = batches;
    this.executions = executions;
    this.blobs = blobs;
    this.catalog = catalog;
    this.limits = limits;
  }

  /**
   * Prepares and submits {@code spec}; its listener hears the stored lines as they arrive.
   *
   * @throws InvalidRunSpecException for what cannot run as given, including what a remote run
   *     cannot do yet: read standard input
   */
  public Execution run(RunSpec spec) {
    if (spec.stdin() != null) {
      throw new InvalidRunSpecException("a run on a server cannot read standard input yet",
          "pass the data as an input file instead (an argument naming the file, or --input)");
    }
    secrets.requireKnown(spec.secrets());
    ExecutionSpec prepared = RunPreparation.spec(spec, null, blobs, catalog, limits);
    Execution submitted = new RemoteExecution(executions, executions.create(prepared, spec).id());
    return FollowedExecution.of(submitted, spec.listener(), executions::follow);
  }

  /**
   * Expands, creates and submits {@code spec}.
   *
   * @throws InvalidRunSpecException for inputs that cannot form a batch, or when the first input
   *     cannot be submitted (almost always the script or an option: said at once rather than
   *     failing every input the same way)
   * @throws SpendingLimitException when a spending limit is reached
   */
  public Batch batch(BatchSpec spec) {
    RunSpec template = spec.template();
    secrets.requireKnown(template.secrets());
    if (spec.itemsFrom() != null) {
      return fed(spec);
    }
    Path base = BatchInputs.base(template);
    List<Path> inputs = BatchInputs.expand(spec, base);
    List<String> folders = BatchInputs.folders(base, inputs);
    BatchRecord batch = batches.create(template.script().getFileName().toString(),
        template.runtime(), inputs.size(), spec.parallel(), template.labels());
    List<BatchItem> items = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      RunSpec run = BatchInputs.forInput(template, BatchInputs.argument(base, inputs.get(i)),
          template.listener());
      items.add(submitItem(spec, batch.id().value(), i, run, inputs.get(i), folders.get(i)));
    }
    return new RemoteBatch(batches, executions, batch.id(), items, spec.listener());
  }

  /**
   * Prepares and submits run {@code i} of batch {@code batchId}; an item with the refusal when
   * it cannot be, told to the batch's listener at once.
   *
   * @throws RGridException when the first run cannot be submitted: almost always the script or
   *     an option, said once rather than per run
   */
  private BatchItem submitItem(BatchSpec spec, String batchId, int i, RunSpec run, Path input,
      String folder) {
    try {
      ExecutionSpec prepared = RunPreparation.spec(run, batchId, blobs, catalog, limits);
      ExecutionRecord created = executions.create(prepared, run, batchId + "/" + i);
      return new BatchItem(i, input, folder, created.id(), null);
    } catch (RGridException e) {
      if (i == 0) {
        throw removedFor(BatchId.of(batchId), e);
      }
      BatchItem item = new BatchItem(i, input, folder, null, e.getMessage());
      try {
        spec.listener().onItemEnded(item, null); // as the embedded engine tells it: at once
      } catch (RuntimeException listenerFailure) {
        LOG.warn("batch listener failed for {}", batchId, listenerFailure);
      }
      return item;
    }
  }

  /**
   * A batch fed by other runs ({@link BatchSpec#itemsFrom()}): the server works its runs out
   * from what it stores (checking the source first), then each is submitted here into the batch,
   * linked to its parent run, as the embedded engine stores them. When it fans out from a run
   * that has not ended, the server stores it to expand later, and its one template run is
   * submitted here instead (as the embedded engine submits it); the worker that claims it once
   * that run succeeds makes the batch's runs, which the handle reads from the server.
   */
  private Batch fed(BatchSpec spec) {
    RunSpec template = spec.template();
    BatchInputs.checkFedTemplate(template);
    RemoteBatches.Fed batch = batches.createFed(template.script().getFileName().toString(),
        template.runtime(), spec.parallel(), template.labels(), spec.itemsFrom());
    String id = batch.record().id().value();
    if (batch.expandsLater()) {
      RunSpec run = BatchInputs.laterTemplate(template, spec.itemsFrom(),
          spec.maxInputs(), template.listener());
      try {
        ExecutionSpec prepared = RunPreparation.spec(run, id, blobs, catalog, limits);
        executions.create(prepared, run, id + "/template");
      } catch (RuntimeException e) {
        throw removedFor(batch.record().id(), e);
      }
      return new RemoteLaterBatch(batches, executions, batch.record().id(), spec.listener());
    }
    List<BatchItem> items = new ArrayList<>(batch.runs().size());
    for (int i = 0; i < batch.runs().size(); i++) {
      FedRun fed = batch.runs().get(i);
      RunSpec run = BatchInputs.forParent(template, fed, template.listener());
      items.add(submitItem(spec, id, i, run, Path.of(fed.input()), fed.folder()));
    }
    return new RemoteBatch(batches, executions, batch.record().id(), items, spec.listener());
  }

  /**
   * Takes back {@code batch}, created a moment before its first run was refused with {@code
   * refusal}: left on the server with no run, it would count every input as queued for ever.
   * Returns the refusal, to be thrown.
   */
  private <E extends RuntimeException> E removedFor(BatchId batch, E refusal) {
    try {
      batches.removeEmpty(batch);
    } catch (RuntimeException e) {
      refusal.addSuppressed(e);
    }
    return refusal;
  }
}
