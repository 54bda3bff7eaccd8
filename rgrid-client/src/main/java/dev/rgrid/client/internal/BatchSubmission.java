package dev.rgrid.client.internal;

import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.preparation.BatchInputs;
import dev.rgrid.core.preparation.RunPreparation;
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
 * Submits a batch to a server as the embedded engine submits one: the inputs expanded and given
 * their output folders here, the batch created on the server, then each input prepared here
 * (script and input uploaded when the server lacks them) and submitted as an execution of the
 * batch. Each submission carries an idempotency key made of the batch id and the input's index,
 * so a request repeated after a lost answer never makes a second execution.
 */
public final class BatchSubmission {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSubmission.class);

  private final RemoteBatches batches;
  private final Executions executions;
  private final BlobStore blobs;
  private final RuntimeCatalog catalog;
  private final Limits limits;

  public BatchSubmission(RemoteBatches batches, Executions executions, BlobStore blobs,
      RuntimeCatalog catalog, Limits limits) {
    this.batches = batches;
    this.executions = executions;
    this.blobs = blobs;
    this.catalog = catalog;
    this.limits = limits;
  }

  /**
   * Expands, creates and submits {@code spec}.
   *
   * @throws dev.rgrid.core.InvalidRunSpecException for inputs that cannot form a batch, or when
   *     the first input cannot be submitted (almost always the script or an option: said at
   *     once rather than failing every input the same way)
   * @throws dev.rgrid.core.SpendingLimitException when a spending limit is reached
   */
  public RemoteBatch submit(BatchSpec spec) {
    RunSpec template = spec.template();
    Path base = BatchInputs.base(template);
    List<Path> inputs = BatchInputs.expand(spec, base);
    List<String> folders = BatchInputs.folders(base, inputs);
    BatchRecord batch = batches.create(template.script().getFileName().toString(),
        template.runtime(), inputs.size(), spec.parallel(), template.labels());
    List<BatchItem> items = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      RunSpec run = BatchInputs.forInput(template, BatchInputs.argument(base, inputs.get(i)),
          template.listener());
      try {
        ExecutionSpec prepared = RunPreparation.spec(run, batch.id().value(), blobs, catalog,
            limits);
        ExecutionRecord created = executions.create(prepared, run, batch.id().value() + "/" + i);
        items.add(new BatchItem(i, inputs.get(i), folders.get(i), created.id(), null));
      } catch (RGridException e) {
        if (i == 0) {
          throw e;
        }
        BatchItem item = new BatchItem(i, inputs.get(i), folders.get(i), null, e.getMessage());
        items.add(item);
        try {
          spec.listener().onItemEnded(item, null); // as the embedded engine tells it: at once
        } catch (RuntimeException listenerFailure) {
          LOG.warn("batch listener failed for {}", batch.id(), listenerFailure);
        }
      }
    }
    return new RemoteBatch(batches, executions, batch.id(), items, spec.listener());
  }
}
