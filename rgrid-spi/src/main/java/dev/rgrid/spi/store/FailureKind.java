package dev.rgrid.spi.store;

/**
 * Why an execution did not succeed, as a stable machine-readable kind. {@link #isTransient()} tells
 * which kinds a retry can cure.
 */
public enum FailureKind {
  /** The script exited with a non-zero code. */
  SCRIPT_EXIT("script-exit", false),
  /** The script ran past its timeout. */
  TIMEOUT("timeout", false),
  /** Someone cancelled the execution. */
  CANCELLED("cancelled", false),
  /** The script used more memory than its limit. */
  OUT_OF_MEMORY("out-of-memory", false),
  /** The script wrote more output files or bytes than allowed. */
  OUTPUT_LIMIT("output-limit", false),
  /** An input could not be staged for the script. */
  INPUT_ERROR("input-error", false),
  /** The runtime (interpreter, image) does not exist on the worker. */
  RUNTIME_UNAVAILABLE("runtime-unavailable", false),
  /** The container or process could not be started. */
  START_FAILED("start-failed", true),
  /** The worker running it stopped answering. */
  WORKER_LOST("worker-lost", true),
  /** A store, blob store or engine could not be reached. */
  BACKEND_UNAVAILABLE("backend-unavailable", true),
  /**
   * A disk RGrid writes to (blob store, working directory, database) is full. Not transient: a
   * retry runs the script again and fills the same disk; space has to be freed first.
   */
  DISK_FULL("disk-full", false),
  /** Python dependencies could not be installed. */
  DEPENDENCY_INSTALL("dependency-install", false),
  /** A run it depends on did not succeed, so it never ran ({@code SKIPPED}). */
  PARENT_FAILED("parent-failed", false),
  /** A defect in RGrid itself. */
  INTERNAL("internal", false);

  private final String code;
  private final boolean transientKind;

  FailureKind(String code, boolean transientKind) {
    this.code = code;
    this.transientKind = transientKind;
  }

  /** The stable, lower-case code used in JSON and the CLI (e.g. {@code out-of-memory}). */
  public String code() {
    return code;
  }

  /** Whether retrying the same execution can succeed without any change. */
  public boolean isTransient() {
    return transientKind;
  }

  /** The kind with this {@link #code()}. */
  public static FailureKind fromCode(String code) {
    for (FailureKind k : values()) {
      if (k.code.equals(code)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown failure kind: " + code);
  }
}
