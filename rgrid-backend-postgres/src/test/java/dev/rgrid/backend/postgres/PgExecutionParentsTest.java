package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.tck.ExecutionParentsContract;

/** Runs that wait for others on a real PostgreSQL. */
class PgExecutionParentsTest extends ExecutionParentsContract {
  @Override
  protected SharedState newState() {
    return PgTests.freshBackend();
  }
}
