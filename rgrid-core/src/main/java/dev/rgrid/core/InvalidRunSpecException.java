package dev.rgrid.core;

import dev.rgrid.spi.RGridException;

/**
 * Thrown when what the user asked to run cannot be run as given: a missing, empty or binary script,
 * an unknown runtime, a malformed argument. Front ends report it as a usage error.
 */
public class InvalidRunSpecException extends RGridException {
  /** @param message what is wrong, naming the value */
  public InvalidRunSpecException(String message, String hint) {
    super(message, hint);
  }

  /** @param message what is wrong, naming the value; {@code cause} the underlying error */
  public InvalidRunSpecException(String message, String hint, Throwable cause) {
    super(message, hint, null, cause);
  }
}
