package dev.rgrid.backend.postgres;

import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.tck.ExecutionQueueContract;
import org.junit.jupiter.api.AfterEach;

/** The execution queue contract on a real PostgreSQL. */
class PgExecutionQueueTest extends ExecutionQueueContract {
  private PostgresBackend backend;

  @Override
  protected ExecutionQueue newQueue() {
    backend = PgTests.freshBackend();
    return backend.queue();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }
}
