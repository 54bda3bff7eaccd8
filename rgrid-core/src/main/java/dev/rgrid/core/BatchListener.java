package dev.rgrid.core;

import dev.rgrid.spi.store.ExecutionRecord;

/**
 * Hears how a batch goes while this RGrid instance runs it. Every method has a no-op default.
 * Calls come from RGrid's worker threads, one at a time per batch: keep them short.
 */
public interface BatchListener {
  /** An input's execution ended (or the input could not be submitted: {@code record} is null). */
  default void onItemEnded(BatchItem item, ExecutionRecord record) {}

  /** The counts changed. */
  default void onProgress(BatchProgress progress) {}

  /** A listener that does nothing. */
  BatchListener NONE = new BatchListener() {};
}
