package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the executions, newest first
 * @param next the cursor for the next page ({@link ExecutionQuery#before()}), or {@code null}
 */
public record ExecutionPage(List<ExecutionRecord> items, ExecutionId next) {
  /** Makes the list immutable. */
  public ExecutionPage {
    items = List.copyOf(items);
  }
}
