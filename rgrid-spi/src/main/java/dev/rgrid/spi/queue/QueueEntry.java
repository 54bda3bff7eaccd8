package dev.rgrid.spi.queue;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import java.time.Instant;
import java.util.Objects;

/**
 * Work to enqueue.
 *
 * @param executionId the execution to run
 * @param affinity the only worker allowed to claim it while that worker keeps renewing, or {@code
 *     null} for any worker. Embedded RGrid processes use it so each runs the work it submitted,
 *     while work left by a process that died becomes claimable by others once its hold lapses.
 * @param notBefore not claimable before this time (retry backoff)
 * @param attempt the attempt number the next claim starts
 * @param group the group it belongs to (a batch id), or {@code null}
 * @param groupLimit the most entries of its group that may be held by workers at once (0: no
 *     limit); every entry of a group carries the same limit
 */
public record QueueEntry(ExecutionId executionId, WorkerId affinity, Instant notBefore,
    int attempt, String group, int groupLimit) {
  /** The most entries of one group held at once that a limit may ask for. */
  public static final int MAX_GROUP_LIMIT = 10_000;

  /** An entry in no group. */
  public QueueEntry(ExecutionId executionId, WorkerId affinity, Instant notBefore, int attempt) {
    this(executionId, affinity, notBefore, attempt, null, 0);
  }

  /** Checks the values. */
  public QueueEntry {
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(notBefore, "notBefore");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt < 1");
    }
    if (groupLimit < 0 || groupLimit > MAX_GROUP_LIMIT) {
      throw new IllegalArgumentException("groupLimit must be 0 to " + MAX_GROUP_LIMIT + ", was "
          + groupLimit);
    }
    if (groupLimit > 0 && group == null) {
      throw new IllegalArgumentException("a group limit needs a group");
    }
  }
}
