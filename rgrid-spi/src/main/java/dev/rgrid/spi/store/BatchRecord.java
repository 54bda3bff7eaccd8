package dev.rgrid.spi.store;

import dev.rgrid.spi.BatchId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A batch: one script run once per input, each run an execution carrying the batch's id.
 *
 * @param id its id
 * @param createdAt when it was submitted
 * @param scriptName the script's file name
 * @param runtime the runtime it runs on
 * @param size how many inputs it has
 * @param parallel the most of its executions running at once, across all workers (0: no limit)
 * @param labels the labels every execution of it carries
 */
public record BatchRecord(BatchId id, Instant createdAt, String scriptName, String runtime,
    int size, int parallel, Map<String, String> labels) {

  /** Checks the values. */
  public BatchRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(scriptName, "scriptName");
    Objects.requireNonNull(runtime, "runtime");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, was " + size);
    }
    if (parallel < 0) {
      throw new IllegalArgumentException("parallel must not be negative, was " + parallel);
    }
  }
}
