package dev.rgrid.core.internal.deps;

import dev.rgrid.spi.RGridException;

/**
 * Thrown when the dependencies of a script cannot be worked out as given: a malformed or unsafe
 * requirement, a broken PEP 723 block, a missing requirements file, too many requirements or local
 * files. The message names the offending text and where it came from; the hint says what to do.
 */
public class DependencyException extends RGridException {

  /**
   * @param message what is wrong, naming the file, line or value
   * @param hint what the user can do about it, or {@code null}
   */
  public DependencyException(String message, String hint) {
    super(message, hint, null, null);
  }

  /**
   * @param message what is wrong, naming the file, line or value
   * @param hint what the user can do about it, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public DependencyException(String message, String hint, Throwable cause) {
    super(message, hint, null, cause);
  }

  /** The same error with {@code prefix + ": "} put before the message, keeping hint and cause. */
  DependencyException within(String prefix) {
    return new DependencyException(prefix + ": " + getMessage(), hint().orElse(null), getCause());
  }
}
