package dev.rgrid.core;

/**
 * Thrown when a batch's patterns match no file: a typo should be an error, not an empty batch.
 * The message names the patterns that matched nothing; the hint says where they were looked for.
 */
public class NoMatchException extends InvalidRunSpecException {
  /**
   * @param message which patterns matched nothing
   * @param hint where relative patterns start, or what to check
   */
  public NoMatchException(String message, String hint) {
    super(message, hint);
  }
}
