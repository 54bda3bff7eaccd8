package dev.rgrid.spi.store;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;

/**
 * A run this one depends on: it waits for {@code parent} (or for every run of {@code batch}) to
 * succeed and, when {@code glob} is given, takes the outputs matching it as inputs: an execution's
 * each under its own name, a batch's under a folder per input, as {@code rgrid download} lays a
 * batch's outputs out (fan-in). Exactly one of {@code parent} and {@code batch} is set.
 *
 * <p>A run of a batch fed by another batch's runs ({@code rgrid run --batch-from BATCH_ID:GLOB})
 * is linked to its one parent run with {@code item} set: exactly one output of that run must
 * match, and its path in the working directory takes the place of {@code {}} in the run's
 * arguments (or is appended to them), as a batch's input file does.
 *
 * @param parent the execution waited for, or {@code null} when a batch is
 * @param batch the batch waited for (each input's latest run), or {@code null} when an execution
 *     is
 * @param glob the parent's outputs taken (a relative path, or a glob over them: {@code *}, {@code
 *     ?}, {@code **}), or {@code null} to wait only
 * @param item whether this is a batch run's link to its parent run, whose one matching output
 *     fills the run's {@code {}}: then {@code parent} and {@code glob} are set
 */
public record ParentLink(ExecutionId parent, BatchId batch, String glob, boolean item) {
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
    if (item && (parent == null || glob == null)) {
      throw new IllegalArgumentException("a batch run's link names one execution and a glob, was "
          + (parent != null ? parent : batch) + " and " + glob);
    }
  }

  /** A link waiting for {@code parent} or {@code batch}, taking the outputs {@code glob} matches. */
  public ParentLink(ExecutionId parent, BatchId batch, String glob) {
    this(parent, batch, glob, false);
  }

  /**
   * The link of a batch run to its parent run {@code parent}: the one output {@code glob}
   * matches fills the run's {@code {}}.
   */
  public static ParentLink item(ExecutionId parent, String glob) {
    return new ParentLink(java.util.Objects.requireNonNull(parent, "parent"), null,
        java.util.Objects.requireNonNull(glob, "glob"), true);
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
