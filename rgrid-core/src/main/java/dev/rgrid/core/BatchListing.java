package dev.rgrid.core;

import dev.rgrid.spi.store.BatchRecord;
import java.util.Objects;

/**
 * A stored batch and where it stands, as {@link RGrid#batches} lists them.
 *
 * @param batch the batch: its id, script, runtime, size, parallelism and labels
 * @param progress how many of its inputs are in each state, and what they cost so far
 */
public record BatchListing(BatchRecord batch, BatchProgress progress) {
  /** Checks the values. */
  public BatchListing {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(progress, "progress");
  }
}
