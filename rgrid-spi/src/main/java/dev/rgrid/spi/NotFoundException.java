package dev.rgrid.spi;

/** Thrown by every backend when the thing asked for (execution, blob, claim) does not exist. */
public class NotFoundException extends RGridException {
  /** @param message what was not found, naming it */
  public NotFoundException(String message, String hint) {
    super(message, hint);
  }
}
