package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.tck.BatchParentsContract;

/** Runs that wait for a batch on a real PostgreSQL. */
class PgBatchParentsTest extends BatchParentsContract {
  @Override
  protected SharedState newState() {
    return PgTests.freshBackend();
  }
}
