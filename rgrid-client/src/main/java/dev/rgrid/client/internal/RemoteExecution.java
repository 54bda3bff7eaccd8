package dev.rgrid.client.internal;

import dev.rgrid.core.Execution;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A handle on an execution that lives on a server. Holds only its id: every question goes to the
 * server, so the handle is always current and can be kept as long as one likes. Thread-safe.
 */
public final class RemoteExecution implements Execution {
  private final Executions executions;
  private final ExecutionId id;

  public RemoteExecution(Executions executions, ExecutionId id) {
    this.executions = executions;
    this.id = Objects.requireNonNull(id, "id");
  }

  @Override
  public ExecutionId id() {
    return id;
  }

  @Override
  public ExecutionStatus status() {
    return record().status();
  }

  @Override
  public ExecutionRecord record() {
    return executions.get(id);
  }

  @Override
  public ExecutionRecord await() throws InterruptedException {
    return executions.await(id, Long.MAX_VALUE).orElseThrow(); // no deadline: always present
  }

  @Override
  public Optional<ExecutionRecord> await(Duration timeout) throws InterruptedException {
    // Beyond ~70 years is forever; nanosecond arithmetic that far out would overflow.
    Duration forever = Duration.ofNanos(Long.MAX_VALUE / 4);
    long deadline = timeout.compareTo(forever) >= 0 ? Long.MAX_VALUE
        : System.nanoTime() + Math.max(0, timeout.toNanos());
    return executions.await(id, deadline);
  }

  @Override
  public boolean cancel() {
    return executions.cancel(id);
  }

  @Override
  public List<LogLine> logs() {
    return executions.logs(id, 0, Integer.MAX_VALUE);
  }

  @Override
  public List<Artifact> outputs() {
    return executions.outputs(id);
  }

  @Override
  public List<Path> downloadOutputs(Path directory) {
    return executions.download(id, directory);
  }

  @Override
  public String toString() {
    return "RemoteExecution[" + id + "]";
  }
}
