package dev.rgrid.spi;

import java.util.Optional;

/**
 * The one unchecked root of every error RGrid raises. Each instance says what happened in its
 * message and, where there is one, what to do next in {@link #hint()}; the CLI prints both on one
 * line each and never a stack trace.
 */
public class RGridException extends RuntimeException {
  /** What to do next, or null when there is nothing to suggest. */
  private final String hint;
  /** The execution the error concerns, or null. */
  private final String executionId;

  /** An error with a message and no hint. */
  public RGridException(String message) {
    this(message, null, null, null);
  }

  /** An error with a message and a hint telling the user what to do next. */
  public RGridException(String message, String hint) {
    this(message, hint, null, null);
  }

  /**
   * The full constructor.
   *
   * @param message what happened, to what
   * @param hint what to do next, or {@code null}
   * @param executionId the execution concerned, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public RGridException(String message, String hint, String executionId, Throwable cause) {
    super(message, cause);
    this.hint = hint;
    this.executionId = executionId;
  }

  /** What the user can do about it, when RGrid knows. */
  public Optional<String> hint() {
    return Optional.ofNullable(hint);
  }

  /** The execution the error is about, when there is one. */
  public Optional<String> executionId() {
    return Optional.ofNullable(executionId);
  }
}
