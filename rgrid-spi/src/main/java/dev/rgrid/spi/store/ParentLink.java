package dev.rgrid.spi.store;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;

/**
 * A run this one depends on: it waits for {@code parent} (or for every run of {@code batch}) to
 * succeed and, when {@code glob} is given, takes the outputs matching it as inputs: an execution's
 * each under its own name, a batch's under a folder per input, as {@code rgrid download} lays a
 * batch's outputs out (fan-in). Exactly one of {@code parent} and {@code batch} is set.
 *
 * @param parent the execution waited for, or {@code null} when a batch is
 * @param batch the batch waited for (each input's latest run), or {@code null} when an execution
 *     is
 * @param glob the parent's outputs taken (a relative path, or a glob over them: {@code *}, {@code
 *     ?}, {@code **}), or {@code null} to wait only
 */
public record ParentLink(ExecutionId parent, BatchId batch, String glob) {
  /** The longest glob accepted. */
  public static final int MAX_GLOB = 1024;

  /** Checks the values. */
  public ParentLink {
    if ((parent == null) == (batch == null)) {
      throw new IllegalArgumentException("a parent is one execution or one batch, was "
          + parent + " and " + batch);
    }
    if (glob != null && (glob.isBlank() || glob.length() > MAX_GLOB || glob.startsWith("/")
        || glob.indexOf('\0') >= 0 || glob.contains("\\"))) {
      throw new IllegalArgumentException("an output of " + (parent != null ? parent : batch)
          + " must be a relative path or glob of at most " + MAX_GLOB + " characters without"
          + " '\\', was '" + glob + "'");
    }
  }

  /** A link to the execution {@code parent}. */
  public ParentLink(ExecutionId parent, String glob) {
    this(java.util.Objects.requireNonNull(parent, "parent"), null, glob);
  }

  /** A link to every run of {@code batch}. */
  public ParentLink(BatchId batch, String glob) {
    this(null, java.util.Objects.requireNonNull(batch, "batch"), glob);
  }

  /** Waits for {@code parent} without taking its outputs. */
  public static ParentLink after(ExecutionId parent) {
    return new ParentLink(parent, (String) null);
  }

  /** Waits for every run of {@code batch} without taking their outputs. */
  public static ParentLink after(BatchId batch) {
    return new ParentLink(batch, (String) null);
  }

  /** The id of what it waits for, execution or batch, as people read it. */
  public String target() {
    return parent != null ? parent.value() : batch.value();
  }
}
