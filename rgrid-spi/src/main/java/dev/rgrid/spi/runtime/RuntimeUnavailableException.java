package dev.rgrid.spi.runtime;

import dev.rgrid.spi.RGridException;

/** Thrown when a runtime (interpreter, image) cannot be provided on this machine. */
public class RuntimeUnavailableException extends RGridException {
  /** @param message which runtime, and what is missing */
  public RuntimeUnavailableException(String message, String hint, Throwable cause) {
    super(message, hint, null, cause);
  }
}
