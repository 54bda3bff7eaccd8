package dev.rgrid.core.preparation;

import dev.rgrid.core.BatchProgress;

/**
 * The progress a batch's own handle reports when it reads the stored progress. The store counts
 * an input without an execution as queued, since it cannot tell one still being submitted from
 * one that was refused; the handle that submitted the batch knows which inputs it could not
 * submit, and counts those as failed, so its batch ends once everything submitted has.
 */
public final class NotSubmitted {
  private NotSubmitted() {}

  /**
   * {@code stored} with {@code refused} of its queued inputs counted as failed instead.
   *
   * @throws IllegalArgumentException when {@code refused} is negative
   */
  public static BatchProgress countedAsFailed(BatchProgress stored, int refused) {
    if (refused < 0) {
      throw new IllegalArgumentException("refused must not be negative, was " + refused);
    }
    // Never more than are queued: each refused input is one the store counts as queued.
    int moved = Math.min(refused, stored.queued());
    if (moved == 0) {
      return stored;
    }
    return BatchProgress.of(stored.total(), stored.queued() - moved, stored.running(),
        stored.succeeded(), stored.failed() + moved, stored.cancelled(), stored.cached(),
        stored.costMicros(), stored.elapsed());
  }
}
