package dev.rgrid.core.internal.batch;

import dev.rgrid.core.InvalidRunSpecException;

/**
 * Thrown when a batch cannot be formed as asked: a {@code --batch} pattern that is malformed or
 * matches nothing, a directory that cannot be read while expanding it, too many matches, or
 * outputs that would overwrite each other with {@code --flat}. The message names the pattern,
 * directory or paths concerned; the {@link #hint()} says what to do next.
 */
public class BatchException extends InvalidRunSpecException {
  /**
   * @param message what went wrong, naming the pattern, directory or path
   * @param hint what the user can do about it
   */
  public BatchException(String message, String hint) {
    super(message, hint);
  }

  /**
   * @param message what went wrong, naming the pattern, directory or path
   * @param hint what the user can do about it
   * @param cause the underlying I/O error
   */
  public BatchException(String message, String hint, Throwable cause) {
    super(message, hint, cause);
  }
}
