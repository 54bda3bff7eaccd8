package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One reusable result: the successful execution whose outputs, logs and exit code are handed to
 * later runs with the same cache key.
 *
 * @param key lowercase hex sha256 over everything the result depends on (see SPEC: runtime and its
 *     image, script, dependencies, inputs, arguments, non-secret environment)
 * @param executionId the execution that produced the result
 * @param runtime the runtime name, for listings
 * @param scriptName the script's name, for listings
 * @param sizeBytes bytes its outputs and exact logs take in the blob store
 * @param createdAt when it was recorded
 * @param lastUsedAt when a run last reused it (its creation time until then)
 * @param hits how many runs reused it
 */
public record CacheEntry(String key, ExecutionId executionId, String runtime, String scriptName,
    long sizeBytes, Instant createdAt, Instant lastUsedAt, long hits) {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

  /** Checks the values. */
  public CacheEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(scriptName, "scriptName");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("cache key must be 64 lowercase hex digits");
    }
    if (sizeBytes < 0 || hits < 0) {
      throw new IllegalArgumentException("size and hits must not be negative");
    }
  }

  /** Whether {@code key} has the form of a cache key. */
  public static boolean isKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }
}
