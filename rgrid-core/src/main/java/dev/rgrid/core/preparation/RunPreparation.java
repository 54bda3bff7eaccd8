package dev.rgrid.core.preparation;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.internal.submit.SpecPreparation;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.ExecutionSpec;

/**
 * Turns a {@link RunSpec} (files on this machine) into the {@link ExecutionSpec} a worker runs
 * (content in a blob store), exactly as the embedded engine does: the same checks, the same
 * rewriting of arguments that name files, the same detection of Python requirements. The blob
 * store may be this process's or a server's reached over the network.
 */
public final class RunPreparation {
  private RunPreparation() {}

  /**
   * Checks {@code run} against {@code limits} and {@code catalog}, stores its script, inputs and
   * accompanying files in {@code blobs}, detects its Python requirements, and tells the run's
   * listener what it noticed ({@link dev.rgrid.core.ExecutionListener#onNotice}).
   *
   * @param batchId the batch the run belongs to, or {@code null}
   * @return the spec to submit
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what); what
   *     can be checked is checked before anything is read or stored
   */
  public static ExecutionSpec spec(RunSpec run, String batchId, BlobStore blobs,
      RuntimeCatalog catalog, Limits limits) {
    return SpecPreparation.spec(run, batchId, blobs, catalog, new SpecRules(limits));
  }
}
