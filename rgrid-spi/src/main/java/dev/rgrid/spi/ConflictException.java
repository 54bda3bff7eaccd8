package dev.rgrid.spi;

/**
 * Thrown by every backend when a write conflicts with the current state: an id that already
 * exists, or a status change whose expected current status no longer holds.
 */
public class ConflictException extends RGridException {
  /** @param message what conflicted with what */
  public ConflictException(String message) {
    super(message);
  }

  /**
   * @param message what conflicted with what
   * @param hint what the user can do instead
   */
  public ConflictException(String message, String hint) {
    super(message, hint);
  }

  /** @param message what conflicted with what; @param cause the driver's error */
  public ConflictException(String message, Throwable cause) {
    super(message, null, null, cause);
  }
}
