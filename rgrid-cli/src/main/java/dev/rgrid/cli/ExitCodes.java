package dev.rgrid.cli;

/**
 * The exit codes of the {@code rgrid} command, which shell scripts can rely on. {@code rgrid run}
 * otherwise exits with the script's own exit code (1–255), like {@code python script.py} would.
 */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /**
   * A batch ended with at least one input failed or timed out ({@code rgrid run --batch}, {@code
   * rgrid retry --batch}); the others ran to the end regardless.
   */
  public static final int SOME_FAILED = 1;
  /**
   * The command line was wrong (unknown option, missing or bad script, unknown runtime), or the
   * command does not apply to the state of what it names (retrying an execution that succeeded
   * or still runs).
   */
  public static final int USAGE = 2;
  /** The execution or batch named does not exist. */
  public static final int NOT_FOUND = 3;
  /** A {@code --batch} pattern matched no file (nothing was submitted). */
  public static final int NO_MATCH = 4;
  /**
   * The RGrid server refused the API key: unknown, malformed or revoked (log in again with a
   * valid one).
   */
  public static final int NOT_AUTHORISED = 5;
  /**
   * The RGrid server could not be reached at all (nothing listens at its address, the name does
   * not resolve, connecting timed out): nothing was done there.
   */
  public static final int UNREACHABLE = 6;
  /**
   * The run never ran: a run it waited for ({@code --after}, {@code --from}) failed, timed out,
   * was cancelled or was skipped itself, so it ended {@code SKIPPED}.
   */
  public static final int SKIPPED = 7;
  /** The script ran past its timeout and was killed (as {@code timeout(1)} does). */
  public static final int TIMED_OUT = 124;
  /** RGrid itself failed: state directory, store, runtime, output limits. */
  public static final int RGRID_ERROR = 125;
  /** The execution was cancelled (as a shell reports an interrupted command). */
  public static final int CANCELLED = 130;

  private ExitCodes() {}
}
