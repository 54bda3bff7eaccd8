package dev.rgrid.server.internal;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ParentLink;

/**
 * The {@code itemsFrom} of a batch's creation as a link, checked for its shape only: whether
 * the batch or execution exists and is the caller's is the library's to say (AccountView
 * answers another account's exactly as an unknown one).
 */
final class FedSources {
  private FedSources() {}

  /** The source, or null when none is given; 400 for a malformed one. */
  static ParentLink link(BatchJson.ItemsFrom from) {
    if (from == null) {
      return null;
    }
    if ((from.batch() == null) == (from.execution() == null)) {
      throw ApiException.badRequest("itemsFrom names neither or both of 'batch' and "
          + "'execution'", HINT);
    }
    if (from.glob() == null) {
      throw ApiException.badRequest("itemsFrom needs a 'glob': the one output of each parent "
          + "run that a run takes", HINT);
    }
    String id = from.batch() != null ? from.batch() : from.execution();
    boolean wellFormed = from.batch() != null ? BatchId.isBatchId(id) : isExecutionId(id);
    if (!wellFormed) {
      throw ApiException.badRequest("itemsFrom." + (from.batch() != null ? "batch" : "execution")
          + " is not " + (from.batch() != null ? "a batch id (batch_…)" : "an execution id "
          + "(exec_…)") + ", was '" + ExecutionRoutes.shown(id) + "'", HINT);
    }
    try {
      // A glob climbing out of the outputs ('..') is the library's to refuse, as embedded.
      return from.batch() != null ? new ParentLink(BatchId.of(id), from.glob())
          : new ParentLink(ExecutionId.of(id), from.glob());
    } catch (IllegalArgumentException e) {
      // The message echoes the glob (up to the body's size): cut.
      throw ApiException.badRequest("itemsFrom: " + ExecutionRoutes.shown(e.getMessage(), 300),
          HINT);
    }
  }

  private static boolean isExecutionId(String id) {
    try {
      ExecutionId.of(id);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static final String HINT = "send {\"batch\": \"batch_…\", \"glob\": \"out.csv\"} or "
      + "{\"execution\": \"exec_…\", \"glob\": \"parts/*.csv\"}: a batch or run of the "
      + "account, and a relative glob without '..'";
}
